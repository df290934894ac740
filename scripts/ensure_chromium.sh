#!/usr/bin/env bash
# Debian's chromium, for the TypeScript client's browser test (clients/typescript/test/browser.test.ts,
# driven by playwright-core). FLOWEXEC_CHROMIUM names another binary (then nothing is installed).
exec "$(dirname "$0")/ensure_debian_package.sh" chromium /usr/bin/chromium FLOWEXEC_CHROMIUM "the browser test"
