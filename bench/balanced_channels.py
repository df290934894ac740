"""Client channels spread evenly over the workers sharing one SO_REUSEPORT port.

The kernel hands each new connection to a worker by a hash of its addresses, so a few
connections split unevenly (with 32, one worker once did 63% of a load's work): one worker then
gets the larger share of the runs and the other idles at the end. Many clients spread evenly; the one bench
client stands in for them by opening channels one by one, seeing which worker took each (the
worker's new established socket on the port, read from /proc) and keeping as many on each.
Each channel is its own connection (a local subchannel pool).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc

_ESTABLISHED = "01"


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    return inodes


def _established_on(port: int) -> set[int]:
    """Inodes of the established TCP sockets whose local port is `port` (the servers' ends)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _ESTABLISHED and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(int(fields[9]))
    return inodes


def _connections(workers: Sequence[int], port: int) -> dict[int, set[int]]:
    established = _established_on(port)
    return {pid: _socket_inodes(pid) & established for pid in workers}


async def balanced_channels(target: str, workers: Sequence[int], per_worker: int,
                            options: Sequence[tuple[str, Any]]) -> list[grpc.aio.Channel]:
    """`per_worker` connected channels on each of `workers` (pids), interleaved; fewer on a worker
    the kernel rarely picks within the attempts."""
    port = int(target.rsplit(":", 1)[1])
    kept: dict[int, list[grpc.aio.Channel]] = {pid: [] for pid in workers}
    for _ in range(8 * per_worker * len(workers)):
        if all(len(channels) >= per_worker for channels in kept.values()):
            break
        before = _connections(workers, port)
        channel = grpc.aio.insecure_channel(target, options=[*options, ("grpc.use_local_subchannel_pool", 1)])
        await asyncio.wait_for(channel.channel_ready(), timeout=10)
        after = _connections(workers, port)
        took = [pid for pid in workers if after[pid] - before[pid]]
        if len(took) == 1 and len(kept[took[0]]) < per_worker:
            kept[took[0]].append(channel)
        else:
            await channel.close()
    by_worker = list(kept.values())
    return [channels[i] for i in range(per_worker) for channels in by_worker if i < len(channels)]
