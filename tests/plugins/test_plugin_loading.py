"""Plugins through real entry points (distributions on sys.path, read by importlib.metadata): the
good ones load beside the built-ins; a broken one, one naming no NodeSpecs, one whose node type
clashes with a built-in or another plugin's are refused whole, logged and reported in ListNodeTypes
(its text redacted) — without stopping the rest; an allow-list picks plugins and names its typos."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from execution.engine import Engine
from execution.events import NodeStatus, StatusReason
from execution.nodes.builtin import builtin_registry
from execution.nodes.plugins import load_plugins
from execution.nodes.text.executors import TRANSLATOR
from execution.providers.settings import ProviderSettings
from execution.services import Services
from flowexec.client import FlowClient
from server.app import FlowexecServer
from server.settings import ServerSettings
from tests.builders import node, pb_edge, pb_node, pb_request
from tests.plugins.dists import echo_module, site, write_distribution
from tests.run_flow import run_flow

__all__ = ["site"]  # the fixture

KEY = "sk-plugin-test-key-0123456789"


def install_plugins(root: Path) -> None:
    write_distribution(root, "acme-nodes", "1.2.0", {"acme": "acme_nodes:NODE_SPECS"},
                       {"acme_nodes": echo_module("acme.echo")})
    write_distribution(root, "broken-nodes", "0.1", {"broken": "broken_nodes:NODE_SPECS"},
                       {"broken_nodes": f"raise RuntimeError('cannot start without {KEY}')\n"})
    write_distribution(root, "odd-nodes", "0.1", {"odd": "odd_nodes:NODE_SPECS"},
                       {"odd_nodes": "NODE_SPECS = 'translator'\n"})
    write_distribution(root, "shadow-nodes", "0.1", {"shadow": "shadow_nodes:NODE_SPECS"},
                       {"shadow_nodes": echo_module("translator")})
    write_distribution(root, "zeta-nodes", "0.1", {"zeta": "zeta_nodes:NODE_SPECS"},
                       {"zeta_nodes": echo_module("acme.echo")})


def test_good_plugins_load_and_bad_ones_are_refused_whole_and_reported(
        site: Path, caplog: pytest.LogCaptureFixture) -> None:
    install_plugins(site)
    builtins = builtin_registry()
    with caplog.at_level(logging.INFO, logger="flowexec.plugins"):
        loaded = load_plugins(builtins)
    registry = loaded.registry
    assert len(registry) == len(builtins) + 1
    assert registry.origin("acme.echo") == "plugin:acme" and registry.get("translator") is TRANSLATOR
    reports = {r.name: r for r in loaded.reports}
    assert list(reports) == ["acme", "broken", "odd", "shadow", "zeta"]
    assert (reports["acme"].distribution, reports["acme"].version, reports["acme"].node_types, reports["acme"].error) == (
        "acme-nodes", "1.2.0", ("acme.echo",), "")
    assert reports["broken"].error == f"loading broken_nodes:NODE_SPECS failed: RuntimeError: cannot start without {KEY}"
    assert reports["odd"].error == "loading odd_nodes:NODE_SPECS failed: TypeError: it names str, not NodeSpecs"
    assert reports["shadow"].error == "node type 'translator' clashes with a built-in node type"
    assert reports["zeta"].error == "node type 'acme.echo' clashes with a node type of plugin:acme"
    assert all(not reports[n].node_types for n in ("broken", "odd", "shadow", "zeta"))
    logged = caplog.text
    assert "plugin acme (acme-nodes 1.2.0) loaded: acme.echo" in logged
    assert "plugin shadow (shadow-nodes) not loaded: node type 'translator' clashes with a built-in" in logged


def test_an_allow_list_loads_only_what_it_names_and_reports_names_it_cannot_find(site: Path) -> None:
    install_plugins(site)
    loaded = load_plugins(builtin_registry(), ["ACME_nodes", "acme-nodez"])  # a distribution name, and a typo
    assert [(r.name, r.node_types, r.error) for r in loaded.reports] == [
        ("acme", ("acme.echo",), ""),
        ("acme-nodez", (), "FLOWEXEC_PLUGINS names 'acme-nodez', but no installed plugin (entry point group "
                           "'flowexec.nodes') has that name"),
    ]
    assert "acme.echo" in loaded.registry


async def test_the_server_lists_and_runs_plugin_node_types_and_reports_the_broken_one(site: Path) -> None:
    install_plugins(site)
    loaded = load_plugins(builtin_registry())
    services = Services.from_settings(ProviderSettings.explicit(claude_api_key=KEY))
    server = FlowexecServer(Engine(loaded.registry, services), ServerSettings(port=0, _env_file=None),
                            plugins=loaded.reports)
    await server.start()
    try:
        async with FlowClient(server.target) as client:
            catalogue = await client.list_node_types(family="utility")
            echo = next(t for t in catalogue.node_types if t.type == "acme.echo")
            assert (echo.origin, echo.display_name, [f.name for f in echo.fields]) == ("plugin:acme", "Echo", ["prefix"])
            plugins = {p.name: p for p in catalogue.plugins}
            assert plugins["acme"].node_types == ["acme.echo"] and plugins["acme"].version == "1.2.0"
            assert plugins["broken"].error == "loading broken_nodes:NODE_SPECS failed: RuntimeError: cannot start " \
                                              "without [redacted]"
            request = pb_request([pb_node("scene", "sceneBuilder", mood="eerie"), pb_node("e", "acme.echo", prefix="> ")],
                                 [pb_edge("scene", "e")])
            outputs = {e.node_output.node_id: e.node_output.output.text async for e in client.execute_flow(request)
                       if e.HasField("node_output")}
            assert outputs["e"] == "> " + outputs["scene"]
    finally:
        await server.stop(grace=0)
        await services.aclose()


async def test_without_loading_plugins_their_node_types_do_not_exist(site: Path) -> None:
    """Off by default: installed or not, a plugin's node type is a type without an executor."""
    install_plugins(site)
    assert ServerSettings(_env_file=None).load_plugins is False
    run = await run_flow(Services(), [node("e", "acme.echo")], [])
    assert (run.status("e"), run.final("e").reason) == (NodeStatus.SKIPPED, StatusReason.NO_EXECUTOR)
