#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/debian-packages.txt that are missing.
# Idempotent and quiet when everything is there. Without root or apt-get it only warns:
# the tests that need a missing package then say they skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/debian-packages.txt | grep -v '^$' || true)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "warning: missing Debian packages (${missing[*]}) and no root/apt-get to install them" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq >/dev/null 2>&1 || { echo "warning: apt-get update failed" >&2; exit 0; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  echo "warning: apt-get install ${missing[*]} failed; the tests that need them will skip" >&2
