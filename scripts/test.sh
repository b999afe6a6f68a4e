#!/usr/bin/env bash
# The full test suite, from a fresh machine: installs what the tests need (a Python venv
# with the reference tools), checks formatting and lints, then runs every Rust test,
# including the parity tests against pycocotools and the other reference tools.
#
# Tests read ../shared (real COCO data and golden outputs) when it exists; without it the
# tests on the repository's own fixtures still run.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
# section TITLE: a header with the minutes and seconds since the start (CI logs show where time goes)
section() { printf '== [%2dm%02ds] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

section "Debian packages the tests need (scripts/debian-packages.txt)"
scripts/setup-debian.sh

section "python reference tools (.venv)"
scripts/setup-python.sh
export COCOPREP_TEST_PYTHON="$PWD/.venv/bin/python"
torch_venv=${COCOPREP_TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cocoprep/venv-torch-2.15.0}
if [ "${COCOPREP_SKIP_TORCH:-0}" != 1 ] && [ -f "$torch_venv/.torch-installed" ]; then
  export COCOPREP_TORCH_PYTHON="$torch_venv/bin/python"
fi

section "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

section "fuzz targets build (cargo check; fuzzing itself needs nightly: see fuzz/README.md)"
cargo check --manifest-path fuzz/Cargo.toml --locked --quiet

section "module cycles"
python3 scripts/check-module-cycles.py

section "unused dependencies (cargo-shear)"
# cargo-shear, not cargo-machete: it also finds dependencies only the tests use and unused
# workspace declarations, and it reads `md-5` as `md5` without a false alarm. 1.13.0 is the
# last release whose locked dependencies build on rustc 1.95. Installing takes ~6 minutes
# on a busy 2-core machine, once.
command -v cargo-shear >/dev/null || cargo install --locked cargo-shear@1.13.0
cargo shear

section "tests"
cargo test --workspace --locked

section "python package (wheel built from this checkout, installed in a fresh venv, pytest)"
# The wheel bundles the binary `cargo test` just built (a `cargo build -p cocoprep` would
# resolve the features of fewer packages and compile most dependencies again: 4.5 minutes on
# CI); maturin compiles pyo3, numpy and cocoprep-py with the dev profile.
COCOPREP_WHEEL_BINARY="${CARGO_TARGET_DIR:-target}/debug/cocoprep" scripts/build-wheel.sh --dev
rm -rf target/wheel-venv
python3 -m venv target/wheel-venv
target/wheel-venv/bin/pip install --quiet --disable-pip-version-check dist/cocoprep-*.whl \
  "$(grep '^pytest==' scripts/requirements-test.txt)" "$(grep '^pycocotools==' scripts/requirements-test.txt)"
(cd python/tests && ../../target/wheel-venv/bin/python -m pytest -q -p no:warnings -p no:cacheprovider .)

section "slurm (a one-node cluster runs features butd as an array job; skipped without root/apt)"
COCOPREP_BIN="${CARGO_TARGET_DIR:-target}/debug/cocoprep" scripts/slurm-test.sh
section "done"
