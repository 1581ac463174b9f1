#!/usr/bin/env bash
# Installs what ground needs to build (libsndfile's headers, pkg-config) if missing, then builds
# the release binary at .build/release/ground. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
pkg-config --exists sndfile 2>/dev/null || missing+=(libsndfile1-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

swift build -c release
