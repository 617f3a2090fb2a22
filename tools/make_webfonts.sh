#!/bin/sh
# Regenerate the subsetted WOFF2 web fonts in fonts/web/ from the static Inter
# fonts committed in fonts/. Needs fontTools and brotli:
#   pip install fonttools brotli
# Usage: tools/make_webfonts.sh            (uses `python3` on PATH)
#        PYTHON=/path/to/python tools/make_webfonts.sh
set -eu

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

# Basic Latin + Latin-1 Supplement, Latin Extended-A (covers Dutch ij/IJ and
# most European names), General Punctuation, euro sign, trade mark sign.
UNICODES="U+0000-00FF,U+0100-017F,U+2000-206F,U+20AC,U+2122"

mkdir -p fonts/web
for pair in "Regular:400" "ExtraBold:800"; do
    style="${pair%%:*}"
    weight="${pair##*:}"
    "$PYTHON" -m fontTools.subset "fonts/Inter-${style}.otf" \
        --unicodes="$UNICODES" \
        --layout-features='kern,liga,calt,ccmp,locl,mark,mkmk,tnum,case' \
        --no-hinting \
        --desubroutinize \
        --name-IDs='*' \
        --flavor=woff2 \
        --output-file="fonts/web/inter-latin-${weight}.woff2"
    echo "fonts/web/inter-latin-${weight}.woff2: $(wc -c < "fonts/web/inter-latin-${weight}.woff2") bytes"
done
