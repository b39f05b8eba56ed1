#!/usr/bin/env bash
# Installs the Debian packages whose real servers and tools the tests start: nginx and
# xrootd-server (origins and peer caches for the cache node), zstd (compressed-input tests),
# chromium (the dashboard's browser test drives /usr/bin/chromium headless).
# Does nothing when they are all present; needs root (or sudo) otherwise.
set -euo pipefail

declare -A command_of=([nginx]=nginx [xrootd-server]=xrootd [zstd]=zstd [chromium]=chromium)
missing=()
for package in "${!command_of[@]}"; do
  command -v "${command_of[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  echo "debian packages present: ${!command_of[*]}"
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root to install ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
