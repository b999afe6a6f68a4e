#!/usr/bin/env bash
# Creates .venv with the Python reference tools the parity tests compare against.
# Idempotent: re-running only installs what changed in scripts/requirements-test.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.requirements-installed
if [ ! -f "$stamp" ] || ! cmp -s scripts/requirements-test.txt "$stamp"; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
  cp scripts/requirements-test.txt "$stamp"
fi

# Torch, for the test that loads the CLIP target-set pickles the way Uni-Perceiver does
# (cocoprep-targets). Its own venv, kept outside the checkout and shared by every clone on
# the machine (like pip's cache): the PyPI wheel is the CUDA build, ~5.4 GB installed and
# minutes to unpack, which each fresh clone would otherwise pay again.
# COCOPREP_SKIP_TORCH=1 leaves it out (that test then says it skipped).
torch_venv=${COCOPREP_TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cocoprep/venv-torch-2.15.0}
torch_stamp=$torch_venv/.torch-installed
if [ "${COCOPREP_SKIP_TORCH:-0}" != 1 ] && [ ! -f "$torch_stamp" ]; then
  mkdir -p "$(dirname "$torch_venv")"
  "$python" -m venv "$torch_venv"
  # A failed install (no space, registry unreachable) must not fail the suite: the torch
  # test then says it skipped and why.
  if "$torch_venv/bin/pip" install --quiet --disable-pip-version-check torch==2.15.0; then
    touch "$torch_stamp"
  else
    echo "warning: torch could not be installed; the torch pickle test will be skipped" >&2
  fi
fi
