#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing: headless Chromium for
# browser checks, Java for the Nu HTML Checker, nginx for serving tests, Pango for WeasyPrint,
# fribidi/harfbuzz for complex-script text in Pillow, poppler-utils (pdftoppm) to rasterise
# the posters. Needs root (as on CI and dev machines).
set -euo pipefail
needed=(chromium default-jre-headless nginx-light libpango-1.0-0 libpangoft2-1.0-0 libfribidi0 libharfbuzz0b
        poppler-utils)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
