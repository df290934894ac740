"""Runs as stored resources: started, watched from any seq, listed, cancelled, resumed.

    manager.py    RunManager: the operations, run ownership, start-up recovery, retention, drain
    admission.py  which runs execute now, which wait QUEUED (FIFO; caps overall and per owner)
    live.py       a run this process holds: its recent events, watchers' view, durability rule
    writer.py     the group-commit writer of one live run
    watch.py      a run's events after a seq: stored, then live, gap-free; keepalives
    closing.py    events that end runs the engine cannot end (queued, interrupted); final states
    recovery.py   runs the last process left unfinished become INTERRUPTED
    codec.py      the wire format, as a protocol the server implements
    policy.py     the numbers (RunPolicy)

Like the rest of `execution`, nothing here knows gRPC or protobuf; storage is behind
execution.store.base.RunStore.
"""

from execution.runs.codec import RunCodec
from execution.runs.errors import EventsLost, QueueFull, RunError, RunNotFound, RunNotResumable
from execution.runs.manager import RunManager, RunPage
from execution.runs.policy import RunPolicy

__all__ = ["EventsLost", "QueueFull", "RunCodec", "RunError", "RunManager", "RunNotFound", "RunNotResumable",
           "RunPage", "RunPolicy"]
