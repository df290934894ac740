#!/usr/bin/env bash
# The main job: set up, start a flowexec server and stream an example flow's events.
# With no provider API key in the environment (or .env) it runs as a dry run that
# shows the exact prompts each LLM node would send.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/flowexec demo "$@"
