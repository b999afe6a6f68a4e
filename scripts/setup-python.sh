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
# (cocoprep-targets). A separate venv: the PyPI wheel is the CUDA build, ~5.4 GB installed,
# 1 min 40 s to install here. COCOPREP_SKIP_TORCH=1 leaves it out (that test then skips).
torch_stamp=.venv-torch/.torch-installed
if [ "${COCOPREP_SKIP_TORCH:-0}" != 1 ] && [ ! -f "$torch_stamp" ]; then
  "$python" -m venv .venv-torch
  # A failed install (no space, registry unreachable) must not fail the suite: the torch
  # test then says it skipped and why.
  if .venv-torch/bin/pip install --quiet --disable-pip-version-check torch==2.15.0; then
    touch "$torch_stamp"
  else
    echo "warning: torch could not be installed; the torch pickle test will be skipped" >&2
  fi
fi
