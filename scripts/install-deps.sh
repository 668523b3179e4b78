#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages needed to build and test anthropic-cpp.
# Idempotent and quiet when everything is present; uses sudo when not root.
#   scripts/install-deps.sh [extra-package ...]     e.g. `scripts/install-deps.sh doxygen`
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libcurl4-openssl-dev nlohmann-json3-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev openssl
  "$@"
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: this is not a Debian/Ubuntu system (no apt-get)." >&2
  echo "Install these with your package manager, then run the command again:" >&2
  echo "  a C++17 compiler, CMake >= 3.16, pkg-config, libcurl (dev), nlohmann-json (>= 3.9)," >&2
  echo "  cpp-httplib (tests, emulator), GoogleTest and GoogleMock, the openssl command (tests)," >&2
  echo "  and Doxygen for the API reference (target docs), if you build it." >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo." >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
