#!/usr/bin/env bash
# Every check and test: set-up, contract (buf lint/breaking, generated code fresh),
# ruff and mypy, the Python suite (real servers on port 0), and the TypeScript client through Envoy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== contract"
if [ -x scripts/check_contract.sh ]; then
  scripts/check_contract.sh
else
  buf lint
  python scripts/gen_protos.py --check
fi

echo "== lint and types"
ruff check execution server clients/python/flowexec tests bench scripts
mypy execution server clients/python/flowexec

echo "== python tests"
scripts/ensure_bubblewrap.sh  # custom_code's sandbox (tests/sandbox); installs Debian's bubblewrap when missing
python -m pytest tests "$@"

if [ -x scripts/test_typescript.sh ]; then
  echo "== typescript tests"
  scripts/test_typescript.sh
fi
