#!/usr/bin/env bash
# Installs the Debian packages of scripts/packages.txt (or of the list file
# given as the only argument) that are missing.
# Quiet and quick when nothing is missing.  As root it uses apt-get directly,
# otherwise sudo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

missing=()
while read -r pkg hint; do
    if [[ "$hint" == cmd:* ]] && command -v "${hint#cmd:}" >/dev/null 2>&1; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done < <(sed -e 's/#.*//' "${1:-$here/packages.txt}" | awk 'NF { print $1, ($2 ~ /^cmd:/ ? $2 : "") }')
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "hailong: missing packages (${missing[*]}) and no apt-get: install them by hand" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "hailong: missing packages (${missing[*]}): run as root or install sudo" >&2
    exit 1
fi
echo "hailong: installing ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
