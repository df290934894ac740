"""Images in outputs: stored once by content, read back on request, bounded in size."""

from __future__ import annotations

import os

import pytest

from execution.events import NodeStatus
from execution.ids import NodeId
from execution.outputs import Image, NodeOutput
from execution.store.base import NodeRecord, RunStore
from tests.store.conftest import SQL_KINDS, MakeStore
from tests.store.records import complete, new_run, status

PNG = Image(b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "image/png")


async def test_images_come_back_only_when_asked_for(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", "with image", image=PNG), complete("b", "text only")])
    without = {n.node_id: n for n in await store.get_nodes(run.run_id)}
    with_images = {n.node_id: n for n in await store.get_nodes(run.run_id, include_images=True)}
    a_without, a_with = without[NodeId("a")].output, with_images[NodeId("a")].output
    assert a_without is not None and a_without.image == Image(b"", "image/png")
    assert a_with is not None and a_with.image == PNG
    assert a_without.text == a_with.text == "with image"
    b_output = with_images[NodeId("b")].output
    assert b_output is not None and b_output.image is None
    assert not with_images[NodeId("a")].image_omitted


async def test_one_image_in_many_outputs_is_stored_once_and_read_by_each(store: RunStore) -> None:
    first = await store.create_run(new_run())
    second = await store.create_run(new_run())
    await store.append(first.run_id, [], [complete("a", image=PNG), complete("b", image=PNG)])
    await store.append(second.run_id, [], [complete("a", image=Image(PNG.data, "image/png"))])
    for run_id in (first.run_id, second.run_id):
        for node in await store.get_nodes(run_id, include_images=True):
            assert node.output is not None and node.output.image == PNG


async def test_an_image_over_the_limit_is_stored_without_bytes_and_says_so(
        make_store: MakeStore, store_kind: str) -> None:
    if store_kind not in SQL_KINDS:
        pytest.skip("the image size limit is the SQL store's option")
    store = await make_store(max_image_bytes=1000)
    small = Image(b"s" * 1000, "image/webp")
    big = Image(b"b" * 1001, "image/jpeg")
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", "small one", image=small), complete("b", "big one", image=big)])
    nodes = {n.node_id: n for n in await store.get_nodes(run.run_id, include_images=True)}
    a, b = nodes[NodeId("a")], nodes[NodeId("b")]
    assert a.output is not None and a.output.image == small and not a.image_omitted
    assert b.output is not None and b.output.image == Image(b"", "image/jpeg") and b.image_omitted
    assert b.output.text == "big one"


async def test_a_status_update_keeps_the_image(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", image=PNG)])
    await store.append(run.run_id, [], [status("a", NodeStatus.COMPLETE)])
    [node] = await store.get_nodes(run.run_id, include_images=True)
    assert node.output is not None and node.output.image == PNG


async def test_an_output_without_image_replaces_one_with(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", image=PNG)])
    await store.append(run.run_id, [], [NodeRecord(NodeId("a"), NodeStatus.COMPLETE, output=NodeOutput(text="plain"))])
    [node] = await store.get_nodes(run.run_id, include_images=True)
    assert node.output == NodeOutput(text="plain")


def _batch(images: tuple[Image, ...]) -> NodeRecord:
    return NodeRecord(NodeId("batch"), NodeStatus.COMPLETE,
                      output=NodeOutput(text="2 of 2 images made", image=images[0], images=images,
                                        values={"count": len(images)}))


async def test_a_batchs_images_come_back_in_order_and_only_when_asked_for(store: RunStore) -> None:
    second = Image(b"\xff\xd8\xff" + os.urandom(1500), "image/jpeg")
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [_batch((PNG, second))])
    [with_images] = await store.get_nodes(run.run_id, include_images=True)
    [without] = await store.get_nodes(run.run_id)
    assert with_images.output is not None and with_images.output.images == (PNG, second)
    assert with_images.output.image == PNG and with_images.output.values == {"count": 2}
    assert without.output is not None
    assert without.output.images == (Image(b"", "image/png"), Image(b"", "image/jpeg"))


async def test_a_batch_over_the_image_limit_keeps_mime_types_only(make_store: MakeStore, store_kind: str) -> None:
    if store_kind not in SQL_KINDS:
        pytest.skip("the image size limit is the SQL store's option")
    store = await make_store(max_image_bytes=1000)
    small = (Image(b"a" * 600, "image/png"), Image(b"b" * 600, "image/png"))  # each fits, together they do not
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [_batch(small)])
    [node] = await store.get_nodes(run.run_id, include_images=True)
    assert node.image_omitted and node.output is not None
    assert node.output.images == (Image(b"", "image/png"), Image(b"", "image/png"))
