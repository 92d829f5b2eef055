#!/usr/bin/env bash
# Installs Debian's ffmpeg, which `stylelab video --output *.mp4` runs to encode H.264 (GIF output needs no
# ffmpeg). Idempotent: returns at once when ffmpeg is already on PATH.
# Usage: bash scripts/install-ffmpeg.sh
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" ffmpeg ffmpeg
