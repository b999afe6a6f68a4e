#!/usr/bin/env bash
# Development loop for the Python package: rebuilds the native module (dev profile) and
# points target/wheel-venv at the working tree's python/ (no wheel, no reinstall).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -p cocoprep-py
site=$(target/wheel-venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp "${CARGO_TARGET_DIR:-target}/debug/lib_native.so" python/cocoprep/_native.abi3.so
echo "$PWD/python" > "$site/cocoprep-dev.pth"
rm -rf "$site/cocoprep"
