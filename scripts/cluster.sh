#!/usr/bin/env bash
# A three-replica flowexec cluster on this machine: PostgreSQL, replicas, Envoy (scripts/cluster.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/cluster.py "$@"
