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

# docs/screenshots/NAME  <-  BUILD/screenshots/journey-NN-STEP.png (by STEP:
# the numbers change when steps are added)
pictures=(
    dang-nhap.png:login
    trang-can-bo.png:dashboard-after
    tao-dot.png:round-new
    trang-dot.png:round
    ap-phich.png:poster
    phieu-dien-thoai.png:parent-form
    nhap-phieu-giay.png:entry
    bao-cao.png:report
    tai-khoan.png:accounts
)

# The one screenshot of a step, or nothing.
shot() {
    local found=("$src"/journey-[0-9][0-9]-"$1".png)
    [ ${#found[@]} -eq 1 ] && [ -f "${found[0]}" ] && echo "${found[0]}"
}

for pair in "${pictures[@]}"; do
    [ -n "$(shot "${pair#*:}")" ] || { echo "hailong: no screenshot of step ${pair#*:} in $src: run the journey test first" >&2; exit 1; }
done
mkdir -p "$dst"
for pair in "${pictures[@]}"; do
    cp "$(shot "${pair#*:}")" "$dst/${pair%%:*}"
    echo "docs/screenshots/${pair%%:*}"
done
