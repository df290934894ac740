"""Retention: delete finished runs older than a cutoff, in short transactions.

A run's events can number in the hundred thousands; deleting them in one statement would hold
SQLite's single write lock (and PostgreSQL's WAL) for seconds while live runs wait to append.
So events go in chunks, each its own transaction, and then the run, its node rows and the
images no remaining output references go in one transaction per chunk of runs. Should the
process stop in between, the run is still there (finished, past the cutoff) with part of its
events, and the next pass finishes the job.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.base import RunState
from execution.store.sql import dialect
from execution.store.sql.schema import events, images, nodes, runs
from execution.store.sql.transactions import Transactions

RUNS_PER_CHUNK = 100
EVENTS_PER_CHUNK = 5000
FINISHED = [state.value for state in RunState if state.finished]


async def delete_finished_before(tx: Transactions, cutoff: float, *, runs_per_chunk: int = RUNS_PER_CHUNK,
                                 events_per_chunk: int = EVENTS_PER_CHUNK) -> int:
    """Delete runs finished before `cutoff` with their events, nodes and unreferenced images."""
    expired = (sa.select(runs.c.run_id)
               .where(runs.c.finished_at < cutoff, runs.c.state.in_(FINISHED))
               .order_by(runs.c.finished_at, runs.c.run_id).limit(runs_per_chunk))

    async def expired_ids(conn: AsyncConnection) -> list[Any]:
        return list((await conn.execute(expired)).scalars())

    deleted = 0
    while run_ids := await tx.read(expired_ids):
        for run_id in run_ids:
            await _delete_events(tx, run_id, events_per_chunk)
        deleted += await tx.write(functools.partial(_delete_runs, run_ids=run_ids))
    return deleted


async def _delete_events(tx: Transactions, run_id: str, chunk: int) -> None:
    first_seqs = (sa.select(events.c.seq).where(events.c.run_id == run_id)
                  .order_by(events.c.seq).limit(chunk).scalar_subquery())
    statement = sa.delete(events).where(events.c.run_id == run_id, events.c.seq.in_(first_seqs))

    async def one_chunk(conn: AsyncConnection) -> int:
        return (await conn.execute(statement)).rowcount

    while await tx.write(one_chunk) == chunk:
        pass


async def _delete_runs(conn: AsyncConnection, run_ids: list[Any]) -> int:
    """Delete the runs, their node rows, and the images only they referenced."""
    # Wait for appends writing images to commit, so their node rows count as references below.
    await dialect.lock_images(conn, exclusive=True)
    held = set((await conn.execute(sa.select(nodes.c.image_sha256).distinct().where(
        nodes.c.run_id.in_(run_ids), nodes.c.image_sha256.is_not(None)))).scalars())
    await conn.execute(sa.delete(nodes).where(nodes.c.run_id.in_(run_ids)))
    # Events appended since the chunked delete (a late batch) go with the run.
    await conn.execute(sa.delete(events).where(events.c.run_id.in_(run_ids)))
    result = await conn.execute(sa.delete(runs).where(runs.c.run_id.in_(run_ids)))
    if held:
        still_referenced = sa.exists().where(nodes.c.image_sha256 == images.c.sha256)
        await conn.execute(sa.delete(images).where(images.c.sha256.in_(held), ~still_referenced))
    return result.rowcount
