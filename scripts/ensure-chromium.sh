#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (no test tool may download its own browser here).
# Installs it with apt when missing; prints the executable's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-color-emoji >&2
fi
command -v chromium
