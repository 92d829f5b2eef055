#!/usr/bin/env bash
# Installs one Debian package unless what it provides is already there. Idempotent; non-interactive; uses
# `sudo -n` only when not root. Shared by install-browser.sh and install-ffmpeg.sh.
# Usage: bash scripts/apt-install.sh PACKAGE PROGRAM   (PROGRAM: a name on PATH, an absolute path to
# a program or library file, or python3:MODULE)
set -euo pipefail

PACKAGE=$1
PROGRAM=$2
# Debian packages put Python modules under /usr/bin/python3, which a pyenv or venv python3 on PATH may not see.
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
have() {
  if [[ $PROGRAM == python3:* ]]; then "$PY" -c "import ${PROGRAM#python3:}" >/dev/null 2>&1
  elif [[ $PROGRAM == /* ]]; then [ -e "$PROGRAM" ]; else command -v "$PROGRAM" >/dev/null 2>&1; fi
}
version() {
  if [[ $PROGRAM == python3:* ]]; then "$PY" -c "import ${PROGRAM#python3:} as m; print('$PROGRAM', m.__version__)" 2>/dev/null || true; return; fi
  if [[ $PROGRAM == /* ]] && [ ! -x "$PROGRAM" ]; then return; fi
  "$PROGRAM" -version 2>/dev/null | head -n 1 || true; "$PROGRAM" --version 2>/dev/null | head -n 1 || true
}

if have; then
  echo "$PACKAGE already installed: $(version | grep -m1 . || echo "$PROGRAM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-install.sh: apt-get not found; install $PACKAGE by hand so that $PROGRAM exists" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "apt-install.sh: not root and no sudo; run as root: apt-get install $PACKAGE" >&2
    exit 1
  fi
fi

echo "installing $PACKAGE with apt-get..."
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$PACKAGE" >/dev/null

if ! have; then
  echo "apt-install.sh: apt-get finished but $PROGRAM is missing" >&2
  exit 1
fi
echo "$PACKAGE installed: $(version | grep -m1 . || echo "$PROGRAM")"
