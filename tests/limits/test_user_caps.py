"""Caps per user through the real server: runs in flight (one more is RESOURCE_EXHAUSTED for
that user only) and nodes running at once over all of a user's runs (shared by the user's runs
in turn; other users unaffected)."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from execution.run_limits import Limits
from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.limits.serving import limited_server, run


def sleepers(count: int, seconds: float) -> object:
    return pb_request([pb_node(f"d{i}", "diag.delay", seconds=seconds, text="done") for i in range(count)], [])


async def test_a_user_past_the_run_cap_is_refused_and_others_are_not() -> None:
    async with limited_server(limits=Limits(max_active_runs_per_user=1)) as target:
        long_run = asyncio.create_task(run(target, "ann", sleepers(1, 0.5)))
        await asyncio.sleep(0.2)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await run(target, "ann", sleepers(1, 0))
        bea = await run(target, "bea", sleepers(1, 0))
        ann = await long_run
        again = await run(target, "ann", sleepers(1, 0))  # her first run is over: room again
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "runs in flight" in (refused.value.details() or "")
    for seen in (bea, ann, again):
        assert seen.completed.counts.complete == 1


async def test_running_nodes_are_capped_across_a_users_runs() -> None:
    async with limited_server(limits=Limits(max_running_nodes_per_user=2)) as target:
        ann_1, ann_2, bea = await asyncio.gather(run(target, "ann", sleepers(3, 0.3)),
                                                 run(target, "ann", sleepers(3, 0.3)),
                                                 run(target, "bea", sleepers(2, 0.3)))
    # Six nodes of 0.3 s, two at a time: ~0.9 s for ann; bea's two (her cap) run side by side.
    assert all(0.55 <= seen.duration <= 1.6 for seen in (ann_1, ann_2)), (ann_1.duration, ann_2.duration)
    assert bea.duration < 0.55
    # Both of ann's runs got slots before either finished (turns, not one run first).
    for seen, other in ((ann_1, ann_2), (ann_2, ann_1)):
        first_start = min(t for d in ("d0", "d1", "d2") for t in seen.when(d, events_pb2.NODE_STATUS_RUNNING))
        assert first_start - seen.started < other.duration
    assert [s.completed.counts.complete for s in (ann_1, ann_2, bea)] == [3, 3, 2]
