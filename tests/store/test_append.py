"""append: one transaction of events, node records and a run update."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest

from execution.events import NodeStatus, StatusReason
from execution.ids import NodeId, RunId
from execution.messages import ChatMessage
from execution.outputs import NodeOutput, ProviderCall
from execution.store.base import NodeRecord, RunState, RunStore, RunUpdate, StoredEvent
from tests.store.records import complete, events, new_run, status


async def test_append_stores_events_nodes_and_the_update_together(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, events(1, 3), [status("a", NodeStatus.RUNNING)], RunUpdate(last_seq=3))
    assert await store.read_events(run.run_id, 0, 100) == events(1, 3)
    assert await store.get_nodes(run.run_id) == [status("a", NodeStatus.RUNNING)]
    stored = await store.get_run(run.run_id)
    assert stored is not None and stored.last_seq == 3


async def test_a_failing_append_writes_nothing(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, events(1, 2), [status("a", NodeStatus.RUNNING)], RunUpdate(last_seq=2))
    # seq 2 is stored already: the whole batch is refused, its new events, nodes and update too.
    with pytest.raises(ValueError):
        await store.append(run.run_id, [*events(3, 5), *events(2, 2)], [complete("a"), complete("b")],
                           RunUpdate(last_seq=5, state=RunState.SUCCEEDED))
    assert await store.read_events(run.run_id, 0, 100) == events(1, 2)
    assert await store.get_nodes(run.run_id) == [status("a", NodeStatus.RUNNING)]
    stored = await store.get_run(run.run_id)
    assert stored is not None and stored.last_seq == 2 and stored.state is RunState.RUNNING
    # The store is still usable after the refused batch.
    await store.append(run.run_id, events(3, 3), [], RunUpdate(last_seq=3))
    assert [e.seq for e in await store.read_events(run.run_id, 0, 100)] == [1, 2, 3]


async def test_append_to_an_unknown_run_raises_key_error_and_writes_nothing(store: RunStore) -> None:
    with pytest.raises(KeyError):
        await store.append(RunId("no-such-run"), events(1, 2), [complete("a")])
    assert await store.read_events(RunId("no-such-run"), 0, 100) == []


async def test_a_later_record_replaces_the_node_but_keeps_its_output(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", "the text")])
    # A status-only record after COMPLETE (a later batch): the output stays.
    later = status("a", NodeStatus.CANCELLED, reason=StatusReason.CLIENT_CANCELLED, message="gone", retryable=True)
    await store.append(run.run_id, [], [later])
    [node] = await store.get_nodes(run.run_id)
    assert (node.status, node.reason, node.message, node.retryable) == (
        NodeStatus.CANCELLED, StatusReason.CLIENT_CANCELLED, "gone", True)
    assert node.output is not None and node.output.text == "the text"


async def test_records_of_one_node_within_a_batch_fold_in_order(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [
        status("a", NodeStatus.RUNNING), complete("a", "first"), status("a", NodeStatus.COMPLETE),
        status("b", NodeStatus.RUNNING), status("b", NodeStatus.ERROR, reason=StatusReason.TIMEOUT),
    ])
    nodes = {n.node_id: n for n in await store.get_nodes(run.run_id)}
    assert nodes[NodeId("a")].status is NodeStatus.COMPLETE
    assert nodes[NodeId("a")].output == NodeOutput(text="first")
    assert (nodes[NodeId("b")].status, nodes[NodeId("b")].reason) == (NodeStatus.ERROR, StatusReason.TIMEOUT)


async def test_a_new_output_replaces_the_old_one(store: RunStore) -> None:
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [complete("a", "old")])
    await store.append(run.run_id, [], [complete("a", "new")])
    [node] = await store.get_nodes(run.run_id)
    assert node.output is not None and node.output.text == "new"


async def test_nodes_come_back_in_planned_order(store: RunStore) -> None:
    run = await store.create_run(new_run(planned_node_ids=(NodeId("c"), NodeId("a"), NodeId("b"))))
    await store.append(run.run_id, [], [status("b", NodeStatus.PENDING), status("c", NodeStatus.PENDING),
                                        status("a", NodeStatus.PENDING)])
    assert [n.node_id for n in await store.get_nodes(run.run_id)] == ["c", "a", "b"]
    assert await store.get_nodes(RunId("no-such-run")) == []


async def test_every_output_field_round_trips(store: RunStore) -> None:
    output = NodeOutput(
        text="Grüße 👋 \x00 \"quoted\"", persona_name="Ada", persona_description="a mathematician",
        replace_prompt="r", injected_prompt="i", duration_ms=1234, cached=True, dry_run=True,
        provider_calls=(ProviderCall("mistral", "mistral-small", "enhance",
                                     (ChatMessage("system", "be brief"), ChatMessage("user", "hi")),
                                     temperature=0.7, max_tokens=300),),
    )
    run = await store.create_run(new_run())
    await store.append(run.run_id, [], [NodeRecord(NodeId("a"), NodeStatus.COMPLETE, output=output)])
    [node] = await store.get_nodes(run.run_id)
    assert node.output == output


async def test_events_and_payloads_are_kept_byte_for_byte(store: RunStore) -> None:
    run = await store.create_run(new_run())
    payloads = [bytes(range(256)), b"", b"\x00" * 1000, bytes(70_000)]
    batch = [StoredEvent(i + 1, p) for i, p in enumerate(payloads)]
    await store.append(run.run_id, batch, [])
    assert await store.read_events(run.run_id, 0, 10) == batch


async def test_a_cancelled_append_is_all_or_nothing_and_the_store_goes_on(store: RunStore) -> None:
    """Appends cancelled before, during and after their statements: at every moment the stored
    events are whole batches (a cancelled append may still be committing, all of it), and the
    store takes the next append."""
    run = await store.create_run(new_run())
    size = 1000
    for i, delay_ms in enumerate([step / 2 for step in range(20)]):
        batch = events(i * size + 1, (i + 1) * size, size=8)
        task = asyncio.create_task(store.append(run.run_id, batch, [], RunUpdate(last_seq=batch[-1].seq)))
        await asyncio.sleep(delay_ms / 1000)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await _assert_whole_batches(store, run.run_id, size)
    last = events(100 * size + 1, 101 * size, size=8)
    await store.append(run.run_id, last, [], RunUpdate(last_seq=last[-1].seq))
    assert (await store.read_events(run.run_id, 100 * size, 10 * size)) == last
    await _assert_whole_batches(store, run.run_id, size)


async def _assert_whole_batches(store: RunStore, run_id: RunId, size: int) -> None:
    seqs = [e.seq for e in await store.read_events(run_id, 0, 1_000_000)]
    batches: dict[int, int] = {}
    for seq in seqs:
        batches[(seq - 1) // size] = batches.get((seq - 1) // size, 0) + 1
    partial = {batch: count for batch, count in batches.items() if count != size}
    assert not partial, f"batches stored in part (batch: events): {partial}"


async def test_an_append_may_create_its_run_in_the_same_transaction(store: RunStore) -> None:
    run = new_run(state=RunState.RUNNING, started_at=123.5, dry_run=True)
    await store.append(run.run_id, events(1, 3), [complete("a")], RunUpdate(last_seq=3), create=run)
    stored = await store.get_run(run.run_id)
    assert stored == replace(run, last_seq=3)
    assert await store.read_events(run.run_id, 0, 10) == events(1, 3)
    assert [n.node_id for n in await store.get_nodes(run.run_id)] == ["a"]


async def test_an_append_that_creates_its_run_writes_nothing_when_it_fails(store: RunStore) -> None:
    run = new_run()
    with pytest.raises(ValueError):  # the batch repeats a seq: the run is not created either
        await store.append(run.run_id, [*events(1, 2), *events(2, 2)], [complete("a")], create=run)
    assert await store.get_run(run.run_id) is None
    assert await store.read_events(run.run_id, 0, 10) == []
    existing = await store.create_run(new_run())
    with pytest.raises(ValueError):  # a run that exists is not created again
        await store.append(existing.run_id, events(1, 1), [], create=existing)
    assert await store.read_events(existing.run_id, 0, 10) == []
