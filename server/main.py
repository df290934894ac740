"""Process entry point: settings → engine → server, until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import replace

from execution.cache.node_cache import NodeCache
from execution.cache.open import cache_store_beside
from execution.config_error import ConfigurationError
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.nodes.plugins import PluginReport, load_plugins
from execution.ratelimit.choice import budgets_beside
from execution.sandbox import SandboxUnavailable
from execution.services import Services
from execution.store.base import RunStore, StoreUnavailable
from execution.store.open import sqlite_url
from execution.store.urls import redact
from server import event_loop
from server.app import FlowexecServer
from server.logs import configure_logging
from server.process_memory import return_large_blocks, tune_collector
from server.settings import ServerSettings
from server.storage import StoreConfigError, open_run_store

log = logging.getLogger(__name__)


def build_server(settings: ServerSettings, store: RunStore, cache: NodeCache | None = None,
                 services: Services | None = None) -> FlowexecServer:
    """The server over `store`; `services` default to the environment's (Services.from_env).
    With FLOWEXEC_LOAD_PLUGINS, the registry holds the installed plugins' node types too (a
    broken plugin is logged and reported, and the others load)."""
    services = services or Services.from_env()
    configure_logging(settings.log_level, services.redactor)
    registry = builtin_registry(diagnostic_nodes=settings.diagnostic_nodes)
    plugins: tuple[PluginReport, ...] = ()
    if settings.load_plugins:
        loaded = load_plugins(registry, settings.plugin_allow_list())
        registry, plugins = loaded.registry, loaded.reports
    engine = Engine(registry, services, settings.limits(), cache=cache)
    return FlowexecServer(engine, settings, store, plugins=plugins)


def with_budgets(services: Services, settings: ServerSettings, store: RunStore) -> Services:
    """`services` with the provider budgets the store calls for (execution.ratelimit.choice):
    shared in PostgreSQL when replicas share the store, unless FLOWEXEC_SHARED_BUDGETS=false."""
    budgets = budgets_beside(store, services.provider_settings.budget_policies(), shared=settings.shared_budgets)
    if type(budgets) is not type(services.budgets):  # the same kind is already there (or none is wanted)
        log.info("provider budgets: %s", type(budgets).__name__)
        return replace(services, budgets=budgets)
    return services


def open_cache(settings: ServerSettings, store: RunStore) -> NodeCache | None:
    """The node-output cache, in the run store's database (None when the cache is off)."""
    if not settings.cache_enabled:
        return None
    return NodeCache(cache_store_beside(store), settings.cache_config())


async def serve(settings: ServerSettings, on_ready: Callable[[FlowexecServer], None] | None = None) -> None:
    try:
        services = Services.from_env()
    except ConfigurationError as err:  # the task table or the pipeline library: one line per problem
        print("\n".join(f"flowexec: {line}" for line in str(err).splitlines()), file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    try:
        store = await open_run_store(settings)
    except StoreConfigError as err:
        print(f"flowexec: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    cache = open_cache(settings, store)
    services = with_budgets(services, settings, store)
    try:
        await _serve(build_server(settings, store, cache, services), on_ready)
    except SandboxUnavailable as err:  # ALLOW_CUSTOM_CODE=true where the sandbox cannot work
        print(f"flowexec: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    except StoreUnavailable as err:  # at start-up: recovering the last process's runs needs the store
        url = redact(settings.database_url or sqlite_url(settings.data_dir))
        print(f"flowexec: the run store at {url} is unavailable: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    finally:
        if cache is not None:  # first: it writes what is queued, on the run store's engine
            await cache.close()
        await store.close()


async def _serve(server: FlowexecServer, on_ready: Callable[[FlowexecServer], None] | None) -> None:
    # Process-wide memory settings (see server.process_memory: why, and what they were measured to save).
    return_large_blocks()
    tune_collector()
    await server.start()
    # The machine-readable readiness line (tests and scripts read the port from it).
    print(f"flowexec listening on {server.target}", flush=True)
    log.info("event loop: %s", type(asyncio.get_running_loop()).__module__.partition(".")[0])
    if on_ready is not None:
        on_ready(server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()
    await server.engine.services.aclose()


def run_server(settings: ServerSettings) -> None:
    """serve() on the event loop the settings name, until SIGTERM/SIGINT."""
    try:
        event_loop.run(serve(settings), settings.event_loop)
    except event_loop.EventLoopUnavailable as err:
        print(f"flowexec: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def main() -> None:
    run_server(ServerSettings())
    sys.exit(0)


if __name__ == "__main__":
    main()
