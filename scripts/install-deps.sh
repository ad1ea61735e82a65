#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need,
# skipping those already present. Runs apt-get through sudo when not root.
set -eu

packages="pkg-config liblua5.4-dev lua5.4 libsqlite3-dev sqlite3 libssl-dev libcairo2-dev
fonts-dejavu-core poppler-utils lua-check python3 time valgrind"

missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "Installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "error: these packages are missing and neither root nor sudo is available:$missing" >&2
    exit 1
fi
$run apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq $missing

if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift 6 toolchain is not on PATH; install it from swift.org and retry" >&2
    exit 1
fi
