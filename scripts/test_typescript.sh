#!/usr/bin/env bash
# The TypeScript client's whole check: install (npm ci), generated code up to date, build and
# type-check (the type-level tests in test/types/ included), then node's test runner against the
# real server and the real Envoy, in Node and in Debian's Chromium (installed here when missing).
#
#   scripts/test_typescript.sh                 # everything
#   scripts/test_typescript.sh --install-only  # just make node_modules match package-lock.json
#
# Needs the repo's .venv (flowexec, buf, envoy), Node ≥ 20, and /usr/bin/chromium (or
# $FLOWEXEC_CHROMIUM): scripts/ensure_chromium.sh installs Debian's when it is missing (as root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TS="$ROOT/clients/typescript"
export PATH="$ROOT/.venv/bin:$PATH"
cd "$TS"

# npm ci wipes and reinstalls node_modules; skip it while the lockfile is the one last installed.
STAMP=node_modules/.flowexec-installed-lock.json
if ! cmp -s package-lock.json "$STAMP" 2>/dev/null; then
  # Connect 2.2 declares node >= 22 but runs on 20 (verified): the EBADENGINE warnings are expected.
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$STAMP"
fi
[[ "${1:-}" == "--install-only" ]] && exit 0
"$ROOT/scripts/ensure_chromium.sh"

"$ROOT/scripts/check_contract.sh" typescript
rm -rf dist build # no stale output: a deleted test must not keep running from build/
npx tsc -p tsconfig.json
npx tsc -p tsconfig.test.json # a type-level test (test/types/) that no longer compiles fails here
# One test file at a time: each starts its own server and gateway, and the timing assertions
# ("events arrive incrementally") should not compete for the two cores.
node --test --test-concurrency=1 build/test/*.test.js
