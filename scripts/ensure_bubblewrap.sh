#!/usr/bin/env bash
# Debian's bubblewrap (`bwrap`), the kernel boundary around custom_code nodes (execution/sandbox/)
# and what their tests run. FLOWEXEC_BWRAP names another binary (then nothing is installed).
exec "$(dirname "$0")/ensure_debian_package.sh" bubblewrap /usr/bin/bwrap FLOWEXEC_BWRAP custom_code
