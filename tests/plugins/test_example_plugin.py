"""The example plugin (examples/flowexec-plugin-example) installed by pip — as a user would, without
touching flowexec — into a folder on the server's PYTHONPATH: `flowexec serve` with
FLOWEXEC_LOAD_PLUGINS=true lists it in ListNodeTypes (and `flowexec node-types`), runs it,
validates its settings, logs what it loaded and reports a broken plugin beside it; without the
setting it is not loaded. The example's own tests pass too."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from tests.builders import pb_edge, pb_node, pb_request
from tests.cli.commands import FLOWEXEC, ROOT, clean_env, run_command
from tests.fixtures.serve_process import flowexec_serve
from tests.plugins.dists import write_distribution

EXAMPLE = ROOT / "examples" / "flowexec-plugin-example"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, pip-installed into a folder of its own (a copy is built: a build leaves
    its egg-info beside the sources)."""
    pytest.importorskip("setuptools", reason="builds the plugin without network (no build isolation)")
    work = tmp_path_factory.mktemp("example-plugin")
    source = work / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "install", "--no-deps",
                    "--no-build-isolation", "--no-index", "-q", "--target", str(site), str(source)],
                   check=True, capture_output=True, timeout=180)
    assert (site / "flowexec_plugin_example" / "shout.py").exists()
    return site


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("broken-plugin")
    write_distribution(site, "broken-nodes", "0.1", {"broken": "broken_nodes:NODE_SPECS"},
                       {"broken_nodes": "import a_module_that_is_not_installed\n"})
    return site


async def test_the_installed_example_is_listed_run_and_validated(example_site: Path, broken_site: Path) -> None:
    env = clean_env(PYTHONPATH=f"{example_site}:{broken_site}", FLOWEXEC_LOAD_PLUGINS="true",
                    FLOWEXEC_DATABASE_URL="memory")
    async with flowexec_serve(env=env) as served:
        async with FlowClient(served.target) as client:
            catalogue = await client.list_node_types(family="text")
            shout = next(t for t in catalogue.node_types if t.type == "example.shout")
            assert (shout.origin, shout.display_name) == ("plugin:example", "Shout")
            style = next(f for f in shout.fields if f.name == "style")
            assert (list(style.options), style.options_open) == (["upper", "lower", "title"], False)
            plugins = {p.name: p for p in catalogue.plugins}
            assert (plugins["example"].distribution, plugins["example"].version, list(plugins["example"].node_types)) == (
                "flowexec-plugin-example", "0.1.0", ["example.shout"])
            assert plugins["broken"].error == ("loading broken_nodes:NODE_SPECS failed: ModuleNotFoundError: "
                                               "No module named 'a_module_that_is_not_installed'")
            assert not plugins["broken"].node_types

            request = pb_request([pb_node("scene", "sceneBuilder", mood="eerie"),
                                  pb_node("loud", "example.shout", repeat=2, style="upper"), pb_node("out", "textOutput")],
                                 [pb_edge("scene", "loud"), pb_edge("loud", "out")])
            outputs = {e.node_output.node_id: e.node_output.output.text async for e in client.execute_flow(request)
                       if e.HasField("node_output")}
            shouted = outputs["scene"].upper() + "!"
            assert outputs["out"] == f"{shouted} {shouted}"

            request.nodes[1].data["style"] = "whisper"
            with pytest.raises(grpc.aio.AioRpcError) as info:
                async for _ in client.execute_flow(request):
                    pytest.fail("an event arrived for a refused request")
            assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
            assert field_violations(info.value) == [(
                "nodes[1].data.style",
                "node 'loud' (example.shout): 'style' must be one of upper, lower, title, not 'whisper'")]

        listed = await run_command([*FLOWEXEC, "node-types", "--target", served.target, "example.shout"], cwd=ROOT,
                                   env=clean_env())
        assert listed.returncode == 0, listed.stderr
        assert "setting  style (string; one of upper, lower, title)" in listed.stdout
        assert "setting  repeat (integer; 1…5)" in listed.stdout
        summary = await run_command([*FLOWEXEC, "node-types", "--target", served.target], cwd=ROOT, env=clean_env())
        assert "example.shout" in summary.stdout
        assert "plugin broken (broken-nodes 0.1): refused: loading broken_nodes" in summary.stdout

        served.proc.send_signal(signal.SIGTERM)
        await served.proc.wait()
        assert served.proc.stderr is not None
        log = (await served.proc.stderr.read()).decode()
    assert "plugin example (flowexec-plugin-example 0.1.0) loaded: example.shout" in log
    assert "plugin broken (broken-nodes) not loaded: loading broken_nodes:NODE_SPECS failed" in log


async def test_plugins_stay_off_unless_the_server_allows_them(example_site: Path) -> None:
    env = clean_env(PYTHONPATH=str(example_site), FLOWEXEC_DATABASE_URL="memory")
    async with flowexec_serve(env=env) as served:
        async with FlowClient(served.target) as client:
            catalogue = await client.list_node_types()
    assert "example.shout" not in {t.type for t in catalogue.node_types}
    assert not catalogue.plugins


def test_the_examples_own_tests_pass() -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
