#!/usr/bin/env bash
# Debian's bubblewrap (`bwrap`), the kernel boundary around custom_code nodes (execution/sandbox/)
# and what their tests run. Installs it when missing (root, or passwordless sudo: CI runs as root);
# returns at once when it is there. FLOWEXEC_BWRAP names another binary (then nothing is installed).
set -euo pipefail

BWRAP="${FLOWEXEC_BWRAP:-/usr/bin/bwrap}"
[[ -x "$BWRAP" ]] && exit 0
if [[ "$BWRAP" != /usr/bin/bwrap ]]; then
  echo "FLOWEXEC_BWRAP=$BWRAP is not an executable" >&2
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "custom_code needs Debian's bubblewrap: sudo apt-get install bubblewrap (or set FLOWEXEC_BWRAP)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install bubblewrap (bwrap) and set FLOWEXEC_BWRAP to its binary" >&2
  exit 1
fi

echo "installing Debian's bubblewrap for custom_code"
# Wait for a dpkg lock held by someone else instead of failing.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends bubblewrap >/dev/null
"$BWRAP" --version
