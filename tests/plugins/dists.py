"""Installed distributions made on disk for plugin tests: a `<name>-<version>.dist-info` folder
(METADATA, entry_points.txt) beside the modules it names, in a folder put on sys.path — what pip
leaves in site-packages, read by the real importlib.metadata (nothing patched)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from execution.nodes.plugins import GROUP

# A module defining one node type, `{node_type}`, that echoes its upstream text with a prefix.
ECHO_MODULE = '''
from execution.nodes.inputs import merge_input_text
from execution.nodes.setting_types import NodeSettings, RawText
from execution.nodes.spec import TEXT_IN, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import NodeOutput


class EchoSettings(NodeSettings):
    prefix: RawText = "echo: "


async def echo(ctx):
    return NodeOutput(text=ctx.settings.prefix + (merge_input_text(ctx.inputs) or "nothing"))


NODE_SPECS = (NodeSpec("{node_type}", NodeFamily.UTILITY, echo, EchoSettings, display_name="Echo",
                       description="Echoes its input.", inputs=(TEXT_IN,), outputs=(TEXT_OUT,)),)
'''


def echo_module(node_type: str) -> str:
    return ECHO_MODULE.replace("{node_type}", node_type)


def write_distribution(root: Path, name: str, version: str, entry_points: Mapping[str, str],
                       modules: Mapping[str, str] = {}) -> None:
    """Install `name` into `root`: its metadata, its `flowexec.nodes` entry points (name → "module:attr")
    and its modules (module name → source)."""
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path to install distributions into; what was imported from it is forgotten after."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    try:
        yield root
    finally:
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(root)):
                del sys.modules[name]
