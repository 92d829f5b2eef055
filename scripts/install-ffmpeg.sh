#!/usr/bin/env bash
# Installs Debian's ffmpeg, which `stylelab video --output *.mp4` runs to encode H.264 (GIF output needs no
# ffmpeg). Idempotent: returns at once when ffmpeg is already on PATH. Non-interactive; uses sudo only when not root.
# Usage: bash scripts/install-ffmpeg.sh
set -euo pipefail

if command -v ffmpeg >/dev/null 2>&1; then
  echo "ffmpeg already installed: $(ffmpeg -version 2>/dev/null | head -n 1)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-ffmpeg.sh: apt-get not found; install ffmpeg by hand so that it is on PATH" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-ffmpeg.sh: not root and no sudo; run as root: apt-get install ffmpeg" >&2
    exit 1
  fi
fi

echo "installing ffmpeg with apt-get..."
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "install-ffmpeg.sh: apt-get finished but ffmpeg is not on PATH" >&2
  exit 1
fi
echo "ffmpeg installed: $(ffmpeg -version 2>/dev/null | head -n 1)"
