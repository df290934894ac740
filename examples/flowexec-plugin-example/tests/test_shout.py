"""example.shout on flowexec's engine, in process: it runs, its settings are validated before the
run, and the catalogue describes it from its spec."""

from __future__ import annotations

import asyncio

import pytest
from flowexec_plugin_example import NODE_SPECS, SHOUT

from execution.engine import Engine
from execution.errors import GraphValidationError
from execution.events import NodeOutputProduced
from execution.graph.model import Edge, FlowRequest, Node
from execution.ids import EdgeId, FlowId, NodeId
from execution.nodes.builtin import builtin_registry
from execution.nodes.catalog import describe


def run(nodes: list[Node], edges: tuple[Edge, ...] = ()) -> dict[str, str]:
    """Every node's output text, after a run on the built-ins plus this plugin's node types."""
    engine = Engine(builtin_registry().extended(NODE_SPECS, origin="plugin:example"))
    events = asyncio.run(engine.run(FlowRequest(flow_id=FlowId("t"), nodes=tuple(nodes), edges=tuple(edges))))
    return {e.body.node_id: e.body.output.text for e in events if isinstance(e.body, NodeOutputProduced)}


def test_it_shouts_the_upstream_text() -> None:
    scene = Node(NodeId("scene"), "sceneBuilder", {"mood": "eerie"})
    loud = Node(NodeId("loud"), "example.shout", {"repeat": 2, "ending": "!!"})
    outputs = run([scene, loud], (Edge(EdgeId("e"), NodeId("scene"), NodeId("loud")),))
    assert outputs["loud"] == f"{outputs['scene'].upper()}!! {outputs['scene'].upper()}!!"


def test_its_own_text_and_style() -> None:
    assert run([Node(NodeId("s"), "example.shout", {"text": "hello there", "style": "Title"})])["s"] == "Hello There!"


def test_a_style_it_does_not_offer_is_refused_before_the_run() -> None:
    with pytest.raises(GraphValidationError) as info:
        run([Node(NodeId("s"), "example.shout", {"text": "hi", "style": "whisper"})])
    [violation] = info.value.violations
    assert violation.field == "nodes[0].data.style"
    assert "must be one of upper, lower, title, not 'whisper'" in violation.description


def test_the_catalogue_describes_it_from_its_spec() -> None:
    info = describe(SHOUT, "plugin:example")
    style = next(f for f in info.fields if f.name == "style")
    assert (style.options, style.options_open, style.default) == (("upper", "lower", "title"), False, "upper")
    repeat = next(f for f in info.fields if f.name == "repeat")
    assert (repeat.type, repeat.minimum, repeat.maximum) == ("integer", 1, 5)
