#!/bin/sh
# Renders the hicolor PNGs from mirrorscope.svg. The PNGs are committed so that building the
# package needs no SVG renderer (Debian 12's ImageMagick has no SVG coder without extra
# packages); run this after changing the SVG (needs rsvg-convert: apt-get install librsvg2-bin).
set -eu
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" mirrorscope.svg -o "hicolor/${size}x${size}/apps/mirrorscope.png"
done
