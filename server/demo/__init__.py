"""`flowexec demo`: start a server in this process and run an example flow on it.

The example (`demo_flow.json` beside this module) ships as package data, so the demo works
from any directory and from a non-editable install. The run is live when the server's
provider settings hold any API key — from the environment or a `.env` in the working
directory, exactly as the server reads them — and a dry run otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from execution.providers.settings import ProviderSettings
from execution.sandbox import SandboxUnavailable
from execution.store.memory import MemoryRunStore
from flowexec.cli import request_from_args, run_flow
from server.main import build_server
from server.settings import ServerSettings

DEMO_FLOW = "demo_flow.json"


def packaged_flow() -> dict[str, Any]:
    """The example flow shipped with the server."""
    return json.loads(resources.files(__package__).joinpath(DEMO_FLOW).read_text())


def key_variables() -> list[str]:
    """Every provider API key's variable (key fields are named `<provider id>_api_key`)."""
    return [ProviderSettings.env_name(name) for name in ProviderSettings.model_fields if name.endswith("_api_key")]


def configured_keys(settings: ProviderSettings) -> list[str]:
    """The variables of the API keys these settings hold."""
    return [ProviderSettings.env_name(name) for name in ProviderSettings.model_fields
            if name.endswith("_api_key") and getattr(settings, name) is not None]


def run_demo(args: argparse.Namespace) -> int:
    """`flowexec demo`: `args.flow` (default: the packaged example) with the run options of `flowexec run`."""
    doc = json.loads(Path(args.flow).read_text()) if args.flow else packaged_flow()
    source = args.flow or f"the demo flow '{doc.get('flowId', '')}'"

    async def demo() -> int:
        settings = ServerSettings(host="127.0.0.1", port=0, log_level="WARNING")
        if args.provider_calls:  # the demo's user runs the server too: allow what the request asks for
            settings = settings.model_copy(update={"expose_provider_calls": True})
        # A throwaway server: its runs are not stored (persistence off, whatever .env says).
        server = build_server(settings, MemoryRunStore())
        if not args.dry_run:
            keys = configured_keys(server.engine.services.provider_settings)
            if keys:
                print(f"Provider keys set: {', '.join(keys)}: calling providers (--dry-run only shows the prompts).\n")
            else:
                print(f"No provider API key is set in the environment or .env ({', '.join(key_variables())}): "
                      "running as a dry run, showing the exact prompts each LLM node would send.\n")
                args.dry_run = True
        request = request_from_args(doc, args)
        try:
            await server.start()
        except SandboxUnavailable as err:  # ALLOW_CUSTOM_CODE=true where the sandbox cannot work
            print(f"flowexec: {err.message}", file=sys.stderr, flush=True)
            return 2
        print(f"flowexec server started on {server.target}; running {source}\n", flush=True)
        try:
            return await run_flow(server.target, request, args.timeout)
        finally:
            await server.stop(grace=1.0)
            await server.engine.services.aclose()

    return asyncio.run(demo())
