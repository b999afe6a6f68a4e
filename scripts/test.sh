#!/usr/bin/env bash
# The full test suite, from a fresh machine: installs what the tests need (a Python venv
# with the reference tools), checks formatting and lints, then runs every Rust test,
# including the parity tests against pycocotools and the other reference tools.
#
# Tests read ../shared (real COCO data and golden outputs) when it exists; without it the
# tests on the repository's own fixtures still run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== python reference tools (.venv)"
scripts/setup-python.sh
export COCOPREP_TEST_PYTHON="$PWD/.venv/bin/python"

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

echo "== fuzz targets compile (running them needs nightly: fuzz/README.md)"
cargo check --manifest-path fuzz/Cargo.toml --locked --quiet

echo "== tests"
cargo test --workspace --locked
