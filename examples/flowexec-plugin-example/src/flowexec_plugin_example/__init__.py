"""An example flowexec plugin: the `example.shout` node type.

A plugin is a package whose `flowexec.nodes` entry point names NodeSpecs (see pyproject.toml).
Everything flowexec knows of the node type is on its spec: its settings record (validated before
a run, listed by ListNodeTypes), its ports, its family, whether it calls a provider, its cache
policy and version — and the executor that runs it.
"""

from __future__ import annotations

from typing import Any

from flowexec_plugin_example.shout import SHOUT

# What the entry point names: the plugin's node types, listed explicitly.
NODE_SPECS: tuple[Any, ...] = (SHOUT,)

__all__ = ["NODE_SPECS", "SHOUT"]
