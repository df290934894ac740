#!/usr/bin/env bash
# Contract hygiene for proto/flowexec/v1: lint, no breaking change against the previous main,
# and generated code (Python and TypeScript) matching the .proto files.
#
#   scripts/check_contract.sh                 # every check
#   scripts/check_contract.sh lint breaking   # a subset: lint | breaking | python | typescript
#
# Breaking baseline: $FLOWEXEC_BREAKING_AGAINST when set (any buf input: a directory, an image
# such as main.binpb, or a git ref like '.git#branch=main'); otherwise the proto/ of HEAD~1, taken
# with `git archive` so it also works in worktrees. With no such commit (shallow clone, first
# commit, or a parent without proto/) there is nothing to break and the check says so and passes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
TS="$ROOT/clients/typescript"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

check_lint() {
  buf lint
  echo "buf lint: ok"
}

check_breaking() {
  local against="${FLOWEXEC_BREAKING_AGAINST:-}"
  if [[ -z "$against" ]]; then
    if ! git rev-parse --verify --quiet 'HEAD~1^{commit}' >/dev/null 2>&1; then
      echo "buf breaking: skipped (not a git checkout, or no previous commit in this clone)"
      return 0
    fi
    if [[ -z "$(git ls-tree -d HEAD~1 proto)" ]]; then
      echo "buf breaking: skipped (HEAD~1 has no proto/)"
      return 0
    fi
    git archive HEAD~1 proto | tar -x -C "$scratch"
    against="$scratch/proto"
  fi
  buf breaking --against "$against"
  echo "buf breaking: ok (against ${FLOWEXEC_BREAKING_AGAINST:-HEAD~1})"
}

check_python() {
  .venv/bin/python scripts/gen_protos.py --check
}

check_typescript() {
  [[ -x "$TS/node_modules/.bin/protoc-gen-es" ]] || "$ROOT/scripts/test_typescript.sh" --install-only
  # Generate into a scratch tree (-o prefixes the template's out paths) and compare.
  buf generate -o "$scratch/gen"
  if ! diff -r "$scratch/gen/clients/typescript/src/gen" "$TS/src/gen" >"$scratch/gen.diff"; then
    head -n 40 "$scratch/gen.diff"
    echo "generated TypeScript code is stale: run 'buf generate' from the repo root" >&2
    return 1
  fi
  echo "generated TypeScript code is up to date"
}

checks=("$@")
[[ ${#checks[@]} -gt 0 ]] || checks=(lint breaking python typescript)
for check in "${checks[@]}"; do
  case "$check" in
    lint | breaking | python | typescript) "check_$check" ;;
    *) echo "unknown check: $check (lint | breaking | python | typescript)" >&2; exit 2 ;;
  esac
done
