#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/web/browser.test.ts), which drive it with playwright-core.
# Idempotent: returns at once when /usr/bin/chromium is already there.
# Usage: bash scripts/install-browser.sh
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" chromium /usr/bin/chromium
