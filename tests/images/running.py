"""Runs image flows in-process on an Engine (default registry) and reads events per node."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from execution.engine import Engine
from execution.graph.model import Edge, Node, RunOptions
from execution.nodes.builtin import builtin_registry
from execution.outputs import NodeOutput
from execution.services import Services
from tests.builders import flow
from tests.nodes.running import Run


async def run_flow(services: Services, nodes: list[Node], edges: list[Edge], *, dry_run: bool = False,
                   provider_id: str = "mistral", trigger: str | None = None,
                   cached: dict[str, NodeOutput] | None = None) -> Run:
    request = flow(nodes, edges, provider_id=provider_id, trigger=trigger, cached=cached)
    request = replace(request, options=RunOptions(dry_run=dry_run))
    return Run(await Engine(builtin_registry(), services).run(request))


def openai_images(message: dict[str, Any]) -> list[bytes]:
    """Images in an OpenAI-compatible message's content parts, decoded from their data URLs."""
    urls = [p["image_url"]["url"] for p in message["content"] if p["type"] == "image_url"]
    assert all(u.startswith(("data:image/jpeg;base64,", "data:image/png;base64,")) for u in urls)
    return [base64.b64decode(u.split(",", 1)[1]) for u in urls]


def anthropic_images(message: dict[str, Any]) -> list[bytes]:
    """Images in an Anthropic message's image blocks, decoded."""
    blocks = [b for b in message["content"] if b["type"] == "image"]
    assert all(b["source"]["type"] == "base64" and not b["source"]["data"].startswith("data:") for b in blocks)
    return [base64.b64decode(b["source"]["data"]) for b in blocks]


def texts(message: dict[str, Any]) -> list[str]:
    return [p["text"] for p in message["content"] if p["type"] == "text"]
