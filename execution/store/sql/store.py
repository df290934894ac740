"""SqlRunStore: the RunStore on SQLAlchemy Core, one implementation for SQLite and PostgreSQL.

Each method is one short transaction (retention: a series of them), run to its end even when
the caller is cancelled (transactions.py). What differs between the backends is in dialect.py,
and for a run's batches (`append`, the hot path) in sqlite_writer.py and postgres_batch.py;
errors cross errors.store_errors.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from execution.ids import RunId
from execution.store.base import (
    Fence,
    LeaseLost,
    NodeRecord,
    PageCursor,
    RunRecord,
    RunState,
    RunStore,
    RunUpdate,
    StoredEvent,
)
from execution.store.sql import dialect, postgres_batch, retention, sqlite_writer
from execution.store.sql.batch_rows import batch_rows
from execution.store.sql.leases import PostgresLeases
from execution.store.sql.node_rows import node_record, planned_order
from execution.store.sql.notifications import PostgresSignals
from execution.store.sql.rows import planned_ids, run_record, run_row, update_values
from execution.store.sql.schema import images, nodes, runs
from execution.store.sql.transactions import Transactions

UNFINISHED = (RunState.QUEUED.value, RunState.RUNNING.value)


class SqlRunStore(RunStore):
    def __init__(self, engine: AsyncEngine, printable_url: str, *, max_image_bytes: int,
                 sqlite_path: Path | None = None) -> None:
        """`sqlite_path`: the database file, on SQLite (its batch writer opens it)."""
        self._tx = Transactions(engine, printable_url, sqlite_path)
        self.url = printable_url
        self.max_image_bytes = max_image_bytes
        # Several processes may share a PostgreSQL database: runs are claimed there. A SQLite
        # file belongs to one process (no claims: start-up recovery takes every unfinished run).
        if sqlite_path is None and engine.dialect.name == "postgresql":
            self.leases = PostgresLeases(self._tx, engine)
            self.signals = PostgresSignals(self.leases.heartbeat_dsn)

    async def create_run(self, run: RunRecord) -> RunRecord:
        row = run_row(run)

        async def work(conn: AsyncConnection) -> RunRecord:
            await dialect.commit_durably(conn)
            if run.idempotency_key is None:
                await conn.execute(sa.insert(runs).values(row))
                return run
            insert = dialect.upsert(conn, runs).values(row)
            result = await conn.execute(insert.on_conflict_do_nothing(index_elements=["owner", "idempotency_key"]))
            if result.rowcount == 1:
                return run
            existing = (await conn.execute(sa.select(runs).where(
                runs.c.owner == run.owner, runs.c.idempotency_key == run.idempotency_key))).mappings().one()
            return run_record(existing)

        return await self._tx.write(work)

    async def update_run(self, run_id: RunId, update: RunUpdate) -> None:
        async def work(conn: AsyncConnection) -> None:
            await dialect.commit_durably(conn)
            await _apply_update(conn, run_id, update)

        await self._tx.write(work)

    async def append(self, run_id: RunId, events_: Sequence[StoredEvent], nodes_: Sequence[NodeRecord],
                     update: RunUpdate | None = None, *, create: RunRecord | None = None,
                     fence: Fence | None = None) -> None:
        batch = batch_rows(run_id, events_, nodes_, update, create, self.max_image_bytes,
                           fence if self.leases is not None else None)
        if self._tx.batch_writer is not None:  # SQLite: one trip to the batch writer's thread
            await self._tx.write_in_thread(functools.partial(sqlite_writer.write_batch, batch=batch))
            return
        # PostgreSQL. The other replicas' watchers of the run are told of a fenced batch by its
        # statement, or after its commit when another batch of this process notifies now
        # (notifications.py: one notifying commit at a time).
        signals = self.signals if batch.fence is not None and isinstance(self.signals, PostgresSignals) else None
        inline = signals is not None and not batch.images and signals.claim_inline()
        try:
            if not batch.images:  # one statement
                if await self._tx.statement(*postgres_batch.statement(batch, notify=inline)) != 1:
                    if batch.fence is not None and await self.get_run(run_id) is not None:
                        raise LeaseLost(run_id)
                    raise KeyError(run_id)
            else:
                await self._tx.write(functools.partial(postgres_batch.write_with_images, batch=batch))
        finally:
            if inline:
                signals.release_inline()  # type: ignore[union-attr]
        if signals is not None and not inline:
            signals.announce(run_id)

    async def get_run(self, run_id: RunId, owner: str | None = None) -> RunRecord | None:
        query = sa.select(runs).where(runs.c.run_id == run_id)
        if owner is not None:
            query = query.where(runs.c.owner == owner)
        row = await self._tx.read(lambda conn: _first(conn, query))
        return run_record(row) if row is not None else None

    async def get_nodes(self, run_id: RunId, *, include_images: bool = False) -> list[NodeRecord]:
        columns = [nodes, images.c.data] if include_images else [nodes]
        query = sa.select(*columns).where(nodes.c.run_id == run_id)
        if include_images:
            query = query.select_from(nodes.outerjoin(images, nodes.c.image_sha256 == images.c.sha256))

        async def work(conn: AsyncConnection) -> list[NodeRecord]:
            planned = (await conn.execute(
                sa.select(runs.c.planned_node_ids).where(runs.c.run_id == run_id))).scalar_one_or_none()
            if planned is None:
                return []
            rows = (await conn.execute(query)).mappings().all()
            records = [node_record(row, row["data"] if include_images else None) for row in rows]
            return planned_order(records, planned_ids(planned))

        return await self._tx.read(work)

    async def list_runs(self, owner: str, *, flow_id: str = "", states: Sequence[RunState] = (),
                        page_size: int = 50, after: PageCursor | None = None) -> list[RunRecord]:
        if page_size <= 0:
            return []
        query = sa.select(runs).where(runs.c.owner == owner)
        if flow_id:
            query = query.where(runs.c.flow_id == flow_id)
        if states:
            query = query.where(runs.c.state.in_([state.value for state in states]))
        if after is not None:
            query = query.where(sa.or_(
                runs.c.created_at < after.created_at,
                sa.and_(runs.c.created_at == after.created_at, runs.c.run_id < after.run_id)))
        query = query.order_by(runs.c.created_at.desc(), runs.c.run_id.desc()).limit(page_size)
        return [run_record(row) for row in await self._tx.read(lambda conn: _all(conn, query))]

    async def read_events(self, run_id: RunId, after_seq: int, limit: int) -> list[StoredEvent]:
        if limit <= 0:
            return []
        return await self._tx.read(lambda conn: dialect.select_events(conn, run_id, after_seq, limit))

    async def unfinished_runs(self) -> list[RunRecord]:
        query = sa.select(runs).where(runs.c.state.in_(UNFINISHED)).order_by(runs.c.created_at, runs.c.run_id)
        return [run_record(row) for row in await self._tx.read(lambda conn: _all(conn, query))]

    async def delete_finished_before(self, cutoff: float) -> int:
        return await retention.delete_finished_before(self._tx, cutoff)

    @property
    def transactions(self) -> Transactions:
        """Its engine and writer: for other tables in the same database (the node-output cache)."""
        return self._tx

    async def close(self) -> None:
        if self.signals is not None:
            await self.signals.stop()
        await self._tx.close()


async def _first(conn: AsyncConnection, query: sa.Select[Any]) -> sa.RowMapping | None:
    return (await conn.execute(query)).mappings().first()


async def _all(conn: AsyncConnection, query: sa.Select[Any]) -> Sequence[sa.RowMapping]:
    return (await conn.execute(query)).mappings().all()


async def _apply_update(conn: AsyncConnection, run_id: RunId, update: RunUpdate) -> None:
    """Apply `update`; KeyError when the run does not exist (the update doubles as the check)."""
    if not await dialect.update_run(conn, run_id, update_values(update)):
        raise KeyError(run_id)
