#!/usr/bin/env bash
# A Debian package whose binary the suite needs, installed when missing (root, or passwordless sudo:
# CI runs as root); returns at once when the binary is there. Used by ensure_chromium.sh and
# ensure_bubblewrap.sh.
#
#   scripts/ensure_debian_package.sh PACKAGE BINARY OVERRIDE_VAR PURPOSE
#
# OVERRIDE_VAR names the environment variable that may point at another binary (then nothing is
# installed, and it must be executable).
set -euo pipefail

package="$1" default_binary="$2" override_var="$3" purpose="$4"
binary="${!override_var:-$default_binary}"
[[ -x "$binary" ]] && exit 0
if [[ "$binary" != "$default_binary" ]]; then
  echo "$override_var=$binary is not an executable" >&2
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "$purpose needs Debian's $package: sudo apt-get install $package (or set $override_var)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get here: install $package and set $override_var to its binary" >&2
  exit 1
fi

echo "installing Debian's $package for $purpose"
# Wait for a dpkg lock held by someone else instead of failing; recommends are not needed.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "$package" >/dev/null
"$binary" --version
