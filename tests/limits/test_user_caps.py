"""The cap per user on nodes running at once over all of a user's runs, through the real server
(shared by the user's runs in turn; other users unaffected). The cap on a user's executing runs
is the run manager's admission: tests/runs/test_queueing.py."""

from __future__ import annotations

import asyncio

from execution.run_limits import Limits
from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.limits.serving import limited_server, run


def sleepers(count: int, seconds: float) -> object:
    return pb_request([pb_node(f"d{i}", "diag.delay", seconds=seconds, text="done") for i in range(count)], [])


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
