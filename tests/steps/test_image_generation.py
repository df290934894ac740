"""image_generation through a real server against the fake HuggingFace vendor: one image per
prompt, every image in NodeOutput.images, each item's outcome reported (progress, a status
message for a failure, the `items` output), partial results kept, the node failing only when
every item failed, and the provider's limits (its concurrency cap, the user's request budget)
holding for the items in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict

from execution.events import WaitReason
from execution.nodes.image_batch import OnePauseAtATime
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.ratelimit.gate import Wait
from execution.services import Services
from flowexec.v1 import events_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.elements.links import pb_link, request
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.image_script import ImageReply, ImageRequest
from tests.fakes.llm_env import fake_settings
from tests.fixtures.servers import StartServer
from tests.images import samples
from tests.steps.conftest import final_status, produced, reason, run_served, statuses

COLORS = {"a red fox": (200, 30, 30), "a green frog": (30, 200, 30), "a blue whale": (30, 30, 200),
          "a grey owl": (120, 120, 120)}
PNGS = {prompt: samples.solid((64, 64), color) for prompt, color in COLORS.items()}
REFUSED = "prompt refused by the safety filter"


def reply(request: ImageRequest) -> ImageReply:
    prompt = request.json["inputs"]
    if "refuse" in prompt:
        return ImageReply.error(400, REFUSED)
    slow = "slow" in prompt or prompt == "a red fox"  # the fox comes last: images keep the items' order
    return ImageReply(PNGS.get(prompt, samples.solid((64, 64))), delay=0.2 if slow else 0.0)


@pytest.fixture
async def hf() -> AsyncIterator[FakeHfImage]:
    async with FakeHfImage(default=reply) as server:
        yield server


def hf_services(hf: FakeHfImage, **overrides: Any) -> Services:
    images = ImageProviderSettings.explicit(huggingface_image_base_url=hf.base_url)
    return Services.from_settings(fake_settings(**overrides), images)


def values(out: Any) -> dict[str, Any]:
    return MessageToDict(out)["values"]


def progress(events: list[events_pb2.NodeEvent], node_id: str) -> list[tuple[int, int, str]]:
    return [(e.node_progress.value, e.node_progress.max, e.node_progress.label) for e in events
            if e.HasField("node_progress") and e.node_progress.node_id == node_id]


async def test_one_image_per_prompt_each_reported_and_all_kept(start_server: StartServer, hf: FakeHfImage) -> None:
    prompts = ["a red fox", {"prompt": "a green frog", "id": 711}, "a blue whale"]
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=prompts, width=512, height=512), pb_node("out", "textOutput")],
        [pb_link("gen", "out", "text", "text")]))

    assert final_status(events, "gen").status == events_pb2.NODE_STATUS_COMPLETE
    assert sorted(r.json["inputs"] for r in hf.requests) == sorted(["a red fox", "a green frog", "a blue whale"])
    assert all(r.json["parameters"]["width"] == 512 for r in hf.requests)
    out = produced(events, "gen")
    assert [(i.data, i.mime_type) for i in out.images] == [(PNGS[p], "image/png") for p in
                                                          ("a red fox", "a green frog", "a blue whale")]
    assert out.image == out.images[0]
    seeds = {r.json["inputs"]: r.json["parameters"]["seed"] for r in hf.requests}  # drawn per item, reported
    assert values(out) == {"count": 3, "failed": 0, "items": [
        {"index": 0, "prompt": "a red fox", "ok": True, "image": 0, "seed": seeds["a red fox"]},
        {"index": 1, "prompt": "a green frog", "ok": True, "image": 1, "seed": seeds["a green frog"], "id": 711},
        {"index": 2, "prompt": "a blue whale", "ok": True, "image": 2, "seed": seeds["a blue whale"]}]}
    assert out.text == "3 of 3 images made" == events[-1].run_completed.outputs["out"].text
    assert progress(events, "gen")[-1] == (3, 3, "3 made, 0 failed")
    # RunCompleted repeats the images without their bytes: they went out once, above.
    summary = events[-1].run_completed.outputs["gen"]
    assert [(i.data, i.mime_type) for i in summary.images] == [(b"", "image/png")] * 3


async def test_a_failed_item_is_reported_and_the_others_kept(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=["a red fox", "refuse this", "a blue whale"])], []))

    status = final_status(events, "gen")
    assert status.status == events_pb2.NODE_STATUS_COMPLETE
    out = produced(events, "gen")
    assert [i.data for i in out.images] == [PNGS["a red fox"], PNGS["a blue whale"]]
    found = values(out)
    assert (found["count"], found["failed"]) == (2, 1)
    first, failed, last = found["items"]
    assert (first["ok"], first["image"], last["ok"], last["image"]) == (True, 0, True, 1)
    assert failed["ok"] is False and "image" not in failed and failed["reason"] == "provider_error"
    assert REFUSED in failed["error"] and failed["error"].startswith("huggingface")
    messages = [s.message for s in statuses(events, "gen") if s.status == events_pb2.NODE_STATUS_RUNNING]
    assert any(m.startswith("image 2 of 3 failed: huggingface") and REFUSED in m for m in messages)
    assert progress(events, "gen")[-1] == (3, 3, "2 made, 1 failed")
    assert out.text == "2 of 3 images made, 1 failed"


async def test_the_node_fails_only_when_every_item_failed(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=["refuse one", "refuse two"]), pb_node("out", "textOutput")],
        [pb_link("gen", "out", "image", "text")]))
    status = final_status(events, "gen")
    assert (status.status, reason(status), status.retryable) == (events_pb2.NODE_STATUS_ERROR, "PROVIDER_ERROR", False)
    assert status.message.startswith("all 2 images failed; image 1: huggingface") and REFUSED in status.message
    assert final_status(events, "out").status == events_pb2.NODE_STATUS_SKIPPED


async def test_prompts_come_one_per_line_of_the_text_input(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("scene", "initialPrompt", text="a red fox\n\n  a grey owl  \n"),
         pb_node("gen", "image_generation", prompts=["ignored: the input wins"])], [pb_edge("scene", "gen")]))
    assert [i["prompt"] for i in values(produced(events, "gen"))["items"]] == ["a red fox", "a grey owl"]


async def test_a_list_from_a_named_output_is_the_batch(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), request(
        [pb_node("start", "start"), pb_node("gen", "image_generation")],
        [pb_link("start", "gen", "prompts", "prompts")],
        inputs={"prompts": ["a grey owl", 7, "a red fox"]}))
    items = values(produced(events, "gen"))["items"]
    assert [(i["prompt"], i["ok"]) for i in items] == [("a grey owl", True), ("", False), ("a red fox", True)]
    assert items[1]["reason"] == "invalid_input" and "not a prompt" in items[1]["error"]
    assert len(hf.requests) == 2


async def test_items_run_in_parallel_within_the_vendors_concurrency_cap(start_server: StartServer,
                                                                       hf: FakeHfImage) -> None:
    services = hf_services(hf, provider_concurrency_limits={"huggingface": 2})
    events = await run_served(start_server, services, pb_request(
        [pb_node("gen", "image_generation", prompts=[f"slow {i}" for i in range(6)], concurrency=6)], []))
    assert values(produced(events, "gen"))["count"] == 6
    assert hf.max_in_flight == 2  # parallel, and never past the vendor's cap


async def test_the_nodes_own_concurrency_bounds_its_items(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=[f"slow {i}" for i in range(3)], concurrency=1)], []))
    assert values(produced(events, "gen"))["count"] == 3
    assert hf.max_in_flight == 1


async def test_each_item_spends_the_users_request_budget(start_server: StartServer, hf: FakeHfImage) -> None:
    services = hf_services(hf, provider_rpm_limits={"huggingface": 2}, rate_limit_max_wait=0)
    events = await run_served(start_server, services, pb_request(
        [pb_node("gen", "image_generation", prompts=["a red fox", "a grey owl", "a blue whale"], concurrency=1)], []))
    found = values(produced(events, "gen"))
    assert (found["count"], found["failed"]) == (2, 1)
    [refused] = [i for i in found["items"] if not i["ok"]]
    assert refused["reason"] == "rate_limited" and "2 requests per minute" in refused["error"]
    assert len(hf.requests) == 2


async def test_a_seed_makes_the_batch_repeatable(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=["a red fox", "a grey owl", "a blue whale"], seed=10)], []))
    seeds = {r.json["inputs"]: r.json["parameters"]["seed"] for r in hf.requests}
    assert seeds == {"a red fox": 10, "a grey owl": 11, "a blue whale": 12}
    assert [i["seed"] for i in values(produced(events, "gen"))["items"]] == [10, 11, 12]


async def test_a_dry_run_shows_every_items_request_and_sends_none(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=["a red fox", "a grey owl"])], [], dry_run=True))
    out = events[-1].run_completed.outputs["gen"]
    assert out.dry_run and not out.images and not hf.requests
    assert [c.purpose for c in out.provider_calls] == ["generate-image", "generate-image"]
    assert '"inputs": "a grey owl"' in out.provider_calls[1].messages[0].content


async def test_too_many_prompts_is_an_error_before_any_call(start_server: StartServer, hf: FakeHfImage) -> None:
    events = await run_served(start_server, hf_services(hf), pb_request(
        [pb_node("gen", "image_generation", prompts=[f"p{i}" for i in range(33)])], []))
    status = final_status(events, "gen")
    assert reason(status) == "INVALID_INPUT" and "33 prompts" in status.message and "at most 32" in status.message
    assert not hf.requests


async def test_items_waiting_for_a_budget_give_the_nodes_slot_back_one_at_a_time() -> None:
    """The node holds one run slot: of its items that must wait, one gives it back and waits; the
    others wait for that wait to end and then ask their budget again."""
    entered: list[Wait] = []
    release = asyncio.Event()

    async def pause(wait: Wait) -> None:
        entered.append(wait)
        await release.wait()

    shared = OnePauseAtATime(pause)
    first = asyncio.create_task(shared(Wait("huggingface", WaitReason.RATE_LIMITED, 5.0)))
    await asyncio.sleep(0)
    others = [asyncio.create_task(shared(Wait("huggingface", WaitReason.RATE_LIMITED, 5.0))) for _ in range(3)]
    await asyncio.sleep(0)
    assert len(entered) == 1 and not any(t.done() for t in [first, *others])
    release.set()
    await asyncio.gather(first, *others)
    assert len(entered) == 1
