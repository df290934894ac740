"""NodeProgress from executor to client: the scheduler's progress path, the wire (NodeEvent
field 18) through the real server, stored and replayed by WatchRun, and the CLI's rendering."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from execution.context import NodeContext
from execution.engine import Engine
from execution.events import NodeProgress, NodeStatus, NodeStatusChanged
from execution.ids import NodeId
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.nodes.setting_types import NoSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.run_limits import Limits
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.render import EventPrinter
from flowexec.v1 import events_pb2
from tests.builders import edge, flow, node, pb_node, pb_request
from tests.comfyui.chunks import SD35_CHUNK
from tests.fakes.fake_comfyui import FakeComfyUI
from tests.fixtures.servers import StartServer


async def test_an_executor_reports_progress_while_it_runs() -> None:
    events = await Engine(builtin_registry(diagnostic_nodes=True)).run(
        flow([node("p", "diag.progress", steps=3.0, label="work")], []))
    bodies = [e.body for e in events if isinstance(e.body, NodeProgress | NodeStatusChanged)]
    progress = [b for b in bodies if isinstance(b, NodeProgress)]
    assert progress == [NodeProgress(NodeId("p"), v, 3, "work") for v in (1, 2, 3)]
    statuses = [b for b in bodies if isinstance(b, NodeStatusChanged)]
    # Every report lies between the node's RUNNING and its COMPLETE.
    assert bodies.index(statuses[1]) < bodies.index(progress[0]) and statuses[1].status is NodeStatus.RUNNING
    assert bodies.index(progress[-1]) < bodies.index(statuses[2]) and statuses[2].status is NodeStatus.COMPLETE


async def test_progress_is_dropped_while_the_reader_is_behind_and_after_the_node_settled() -> None:
    leaked: list[NodeContext[Any]] = []

    async def chatty(ctx: NodeContext[Any]) -> NodeOutput:
        for value in range(1000):  # no await: the reader cannot keep up
            ctx.emit_progress(value, 1000)
        leaked.append(ctx)
        return NodeOutput(text="ok")

    async def later(ctx: NodeContext[Any]) -> NodeOutput:
        await asyncio.sleep(0.01)
        leaked[0].emit_progress(5, 5)  # the first node has settled by now
        return NodeOutput(text="later")

    spec = NodeSpec("t.chatty", NodeFamily.DIAGNOSTIC, chatty, NoSettings, display_name="c", description="c")
    after = NodeSpec("t.later", NodeFamily.DIAGNOSTIC, later, NoSettings, display_name="l", description="l")
    events = await Engine(NodeRegistry([spec, after]), limits=Limits(stream_high_water=50)).run(
        flow([node("a", "t.chatty"), node("b", "t.later")], [edge("a", "b")]))
    progress = [e.body for e in events if isinstance(e.body, NodeProgress)]
    assert 40 < len(progress) <= 51  # up to the high-water mark, then none until the reader catches up
    assert all(p.node_id == "a" and p.max == 1000 for p in progress)


async def test_progress_travels_as_node_progress_and_is_stored_for_replay(
        start_server: StartServer, comfy_services: Services, fake_comfyui: FakeComfyUI, tmp_path: Path) -> None:
    target = await start_server(Engine(builtin_registry(), comfy_services),
                                database_url=f"sqlite:///{tmp_path / 'runs.db'}")
    request = pb_request([pb_node("comfy", "comfyuiWorkflow", chunk=SD35_CHUNK, values={"PREVIOUS_OUTPUT": "x"})], [])
    async with FlowClient(target) as client:
        live = [e async for e in client.execute_flow(request)]
        replayed = [e async for e in client.watch_run(live[0].run_id, after_seq=0)]
    progress = [e.node_progress for e in live if e.HasField("node_progress")]
    assert [(p.node_id, p.value, p.max, p.label, p.step) for p in progress] == [
        ("comfy", 1, 3, "Sampler", "8"), ("comfy", 2, 3, "Sampler", "8"), ("comfy", 3, 3, "Sampler", "8")]
    assert [e.SerializeToString() for e in replayed] == [e.SerializeToString() for e in live]
    [output] = [e.node_output.output for e in live if e.HasField("node_output")]
    assert output.image.mime_type == "image/png" and output.image.data.startswith(b"\x89PNG")


def test_the_cli_prints_a_step_when_it_starts_and_ends() -> None:
    out = io.StringIO()
    printer = EventPrinter(out)
    for value in (1, 2, 3, 4):
        printer.show(events_pb2.NodeEvent(node_progress=events_pb2.NodeProgress(node_id="c", value=value, max=4,
                                                                                label="KSampler")))
    assert out.getvalue() == "    c progress: KSampler 1/4\n    c progress: KSampler 4/4\n"
