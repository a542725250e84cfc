#!/usr/bin/env bash
# Refreshes the pictures of the Vietnamese guides (docs/screenshots/) from the
# screenshots the end-to-end browser test saved in the build folder, so the
# guides show the pages as they are now.  Run the test first:
#
#   meson test -C build journey        (or scripts/test.sh)
#   bash scripts/doc-screenshots.sh [BUILD_DIR]   (default: build)
#
# The list below is the whole set: tests/unit/check_doc_images.py checks that
# every picture here is referenced by a guide, and every picture a guide
# references is here.  A screenshot missing from the build folder stops the
# script before anything is copied, so the set never ends up half old.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
src=$build/screenshots
dst=$root/docs/screenshots

# docs/screenshots/NAME  <-  BUILD/screenshots/journey-NN-STEP.png
pictures=(
    dang-nhap.png:journey-01-login.png
    trang-can-bo.png:journey-02-dashboard.png
    tao-dot.png:journey-03-round-new.png
    trang-dot.png:journey-04-round.png
    ap-phich.png:journey-05-poster.png
    phieu-dien-thoai.png:journey-07-parent-form.png
    nhap-phieu-giay.png:journey-09-entry.png
    bao-cao.png:journey-11-report.png
    tai-khoan.png:journey-13-accounts.png
)

for pair in "${pictures[@]}"; do
    [ -f "$src/${pair#*:}" ] || { echo "hailong: $src/${pair#*:} is missing: run the journey test first" >&2; exit 1; }
done
mkdir -p "$dst"
for pair in "${pictures[@]}"; do
    cp "$src/${pair#*:}" "$dst/${pair%%:*}"
    echo "docs/screenshots/${pair%%:*}"
done
