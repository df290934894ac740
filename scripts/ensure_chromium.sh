#!/usr/bin/env bash
# Debian's chromium, for the TypeScript client's browser test (clients/typescript/test/browser.test.ts,
# driven by playwright-core). Installs it when missing (root, or passwordless sudo: CI runs as root);
# returns at once when it is there. FLOWEXEC_CHROMIUM names another binary (then nothing is installed).
set -euo pipefail

CHROMIUM="${FLOWEXEC_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] && exit 0
if [[ "$CHROMIUM" != /usr/bin/chromium ]]; then
  echo "FLOWEXEC_CHROMIUM=$CHROMIUM is not an executable" >&2
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "the browser test needs Debian's chromium: sudo apt-get install chromium (or set FLOWEXEC_CHROMIUM)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install Chromium and set FLOWEXEC_CHROMIUM to its binary" >&2
  exit 1
fi

echo "installing Debian's chromium for the browser test"
# Wait for a dpkg lock held by someone else instead of failing; recommends (fonts, extensions) are not needed.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version
