#!/usr/bin/env bash
# Builds the `cocoprep` Python wheel into dist/: the native module (crates/cocoprep-py), the
# Python package (python/cocoprep) and the `cocoprep` command-line binary, bundled as
# cocoprep/_bin/cocoprep and started by the wheel's `cocoprep` console script.
#
#   scripts/build-wheel.sh          # release build (what README's `## Python` runs)
#   scripts/build-wheel.sh --dev    # dev profile (CI, with COCOPREP_WHEEL_BINARY: see below)
#
# Needs maturin (pip install maturin==1.16.0); MATURIN overrides which one.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
if [ "${1:-}" = "--dev" ]; then
  profile=dev
fi
target_dir=${CARGO_TARGET_DIR:-target}
case "$profile" in
  dev) binary_dir=$target_dir/debug ;;
  *) binary_dir=$target_dir/$profile ;;
esac
maturin=${MATURIN:-maturin}
if ! command -v "$maturin" >/dev/null; then
  if [ -x .venv/bin/maturin ]; then maturin=.venv/bin/maturin; else
    echo "error: maturin not found: pip install maturin==1.16.0" >&2
    exit 2
  fi
fi

# COCOPREP_WHEEL_BINARY: a cocoprep binary already built from this checkout (scripts/test.sh
# passes the one `cargo test --workspace` made) instead of building one here.
binary=${COCOPREP_WHEEL_BINARY:-}
if [ -z "$binary" ]; then
  cargo build --locked --profile "$profile" -p cocoprep
  binary=$binary_dir/cocoprep
elif [ ! -x "$binary" ]; then
  echo "error: COCOPREP_WHEEL_BINARY=$binary is not an executable" >&2
  exit 2
fi
mkdir -p python/cocoprep/_bin
cp "$binary" python/cocoprep/_bin/cocoprep.tmp
mv python/cocoprep/_bin/cocoprep.tmp python/cocoprep/_bin/cocoprep
rm -f dist/cocoprep-*.whl
# A module left by scripts/python-dev-install.sh must not stand in for the one maturin builds.
rm -f python/cocoprep/_native*.so
"$maturin" build --locked --profile "$profile" --out dist --compatibility linux --quiet 2>&1 \
  | grep -v "^🍹\|^⚠️  Warning: You're building a library without activating pyo3's" || true
ls dist/cocoprep-*.whl
