"""PostgreSQL: a batch of a run's writes as one statement, so one round trip.

Each round trip's answer waits for an iteration of the event loop — ~10 ms each while a large
run keeps the loop busy — and a batch written statement by statement (BEGIN, the run's update,
COPY, the node upserts, COMMIT) took ~150 ms: the writer fell a whole run behind. Written as one
statement, with data-modifying CTEs over arrays (`unnest`), a batch is one round trip, and one
transaction of its own (autocommit). A durable commit is asked for inside it
(`set_config('synchronous_commit', 'on', true)`: read at commit, like SET LOCAL).

A fenced batch (a run executed under a lease, PostgreSQL only: store.leases) checks the run's
claim in the same statement: the run's row is changed only while its claim names the batch's
holder and attempt, read `FOR SHARE` so that a takeover committing meanwhile is waited for and
then seen (a lock follows the row's newest version under READ COMMITTED, a plain subquery
would read the statement's snapshot). A batch that creates its run inserts its claim. A fenced
batch may also notify the other replicas (pg_notify, delivered at commit) that the run has new
events, for their watchers of it — one batch at a time per process; the others are announced
after their commit (notifications.py says why).

Batches with images are written statement by statement instead (`write_with_images`): image
writes take an advisory lock against image collection first, which one statement cannot order.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.base import LeaseLost
from execution.store.sql import dialect
from execution.store.sql.batch_rows import EVENT_COLUMNS, NODE_COLUMNS, NODE_CONFLICT, BatchRows
from execution.store.sql.schema import images

# A node row replaces the stored one, except that the stored output (and its image) stays when
# the new row has none (as batch_rows.NODE_CONFLICT says it for an upsert).
_NODE_UPDATE = ", ".join(
    [f"{column} = n.{column}" for column in ("status", "reason", "message", "retryable")]
    + [f"{column} = CASE WHEN n.output IS NULL THEN nodes.{column} ELSE n.{column} END"
       for column in ("output", "image_sha256", "image_omitted")])
# Array types of the node columns after run_id (the statement's parameters $4 on).
_NODE_ARRAYS = ("text[]", "text[]", "text[]", "text[]", "boolean[]", "text[]", "text[]", "boolean[]")


def statement(batch: BatchRows, notify: bool = False) -> tuple[str, tuple[Any, ...]]:
    """The batch's statement and its parameters: $1 run id, $2/$3 event seqs and payloads,
    $4… node columns, then the run's new row or its update. It returns the runs rows it
    inserted or updated (0: no such run, and then it wrote nothing). `notify` (a fenced
    batch): it also notifies the other replicas at its commit."""
    events = batch.events
    columns: list[tuple[Any, ...]] = (list(zip(*batch.nodes, strict=True))[1:] if batch.nodes
                                      else [() for _ in _NODE_ARRAYS])
    run = batch.new_run if batch.new_run is not None else batch.update
    fence = batch.fence
    sql = _sql(batch.new_run is not None, tuple(run), batch.durable, fence is not None, notify and fence is not None)
    fenced: tuple[Any, ...] = () if fence is None else (fence.holder, fence.attempt)
    if fence is not None and batch.new_run is not None:  # its claim's expiry
        fenced += (time.time() + fence.lease_seconds,)
    return sql, (batch.run_id, [e[1] for e in events], [e[2] for e in events], *columns, *run.values(), *fenced)


# Replicas' notifications (execution.store.sql.notifications): "e<run id>" after a batch of the
# run committed, "c<reason>:<run id>" asks the replica executing the run to cancel it.
NOTIFY_CHANNEL = "flowexec_runs"
EVENTS_PREFIX = "e"
CANCEL_PREFIX = "c"

# The claim a fenced batch needs: `{h}`/`{a}` the parameters holding its holder and attempt.
CLAIM_HELD = ("EXISTS (SELECT FROM run_claims WHERE run_claims.run_id = $1 AND holder = {h} AND attempt = {a} "
              "FOR SHARE)")


@functools.cache
def _sql(create: bool, run_columns: tuple[str, ...], durable: bool, fenced: bool = False, notify: bool = False) -> str:
    """Every parameter is used whether the batch has events and nodes or not (PostgreSQL must
    infer each one's type); empty arrays insert nothing."""
    first = 4 + len(_NODE_ARRAYS)
    marks = [f"${i}" for i in range(first, first + len(run_columns))]
    holder, attempt, expires = (f"${i}" for i in range(first + len(run_columns), first + len(run_columns) + 3))
    held = f" AND {CLAIM_HELD.format(h=holder, a=attempt)}" if fenced and not create else ""
    if create:
        run = f"INSERT INTO runs ({', '.join(run_columns)}) VALUES ({', '.join(marks)}) RETURNING 1"
    elif run_columns:
        sets = ", ".join(f"{column} = {mark}" for column, mark in zip(run_columns, marks, strict=True))
        run = f"UPDATE runs SET {sets} WHERE run_id = $1{held} RETURNING 1"
    else:
        run = f"SELECT 1 FROM runs WHERE run_id = $1{held}"
    arrays = ", ".join(f"${i}::{kind}" for i, kind in enumerate(_NODE_ARRAYS, start=4))
    parts = [
        f"run AS ({run})",
        "ev AS (INSERT INTO events (run_id, seq, payload) "
        "SELECT $1, seq, payload FROM unnest($2::bigint[], $3::bytea[]) AS e(seq, payload) WHERE EXISTS "
        "(SELECT FROM run))",
        # Node rows: an UPDATE of the stored ones, then an INSERT of the others (a quarter cheaper
        # than INSERT … ON CONFLICT here: no speculative insertion); one writer per run, and one
        # row per node in a batch (node_rows folds them).
        f"n AS (SELECT * FROM unnest({arrays}) AS n({', '.join(NODE_COLUMNS[1:])}) WHERE EXISTS (SELECT FROM run))",
        f"upd AS (UPDATE nodes SET {_NODE_UPDATE} FROM n WHERE nodes.run_id = $1 AND nodes.node_id = n.node_id "
        "RETURNING nodes.node_id)",
        f"nd AS (INSERT INTO nodes ({', '.join(NODE_COLUMNS)}) SELECT $1, n.* FROM n "
        "WHERE NOT EXISTS (SELECT FROM upd WHERE upd.node_id = n.node_id))",
    ]
    if fenced and create:
        parts.append(f"cl AS (INSERT INTO run_claims (run_id, holder, attempt, expires_at) "
                     f"SELECT $1, {holder}, {attempt}, {expires} FROM run)")
    found = "(SELECT count(*) FROM run)"
    if notify:  # replicas share the store: the others' watchers of the run are told at commit
        parts.append(f"nt AS (SELECT pg_notify('{NOTIFY_CHANNEL}', '{EVENTS_PREFIX}' || $1) FROM run)")
        found = f"{found} + (SELECT count(*) FROM nt) * 0"
    if durable:  # referenced, so that it is evaluated (a SELECT in WITH runs only when used)
        parts.append("sc AS (SELECT set_config('synchronous_commit', 'on', true) AS setting)")
        found = f"{found} + (SELECT count(*) FROM sc) - 1"
    return f"WITH {', '.join(parts)} SELECT {found}"


_UPSERT_NODES = (f"INSERT INTO nodes ({', '.join(NODE_COLUMNS)}) "
                 f"VALUES ({', '.join(f'${i}' for i in range(1, len(NODE_COLUMNS) + 1))}) {NODE_CONFLICT}")


async def write_with_images(conn: AsyncConnection, batch: BatchRows) -> None:
    """A batch with images, statement by statement in SQLAlchemy's transaction on `conn`."""
    if batch.new_run is not None:
        columns = tuple(batch.new_run)
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        # Through SQLAlchemy's connection: it opens the transaction the driver's writes below join.
        await conn.exec_driver_sql(f"INSERT INTO runs ({', '.join(columns)}) VALUES ({marks})",
                                   tuple(batch.new_run.values()))
    elif not await dialect.update_run(conn, batch.run_id, batch.update):  # opens it likewise
        raise KeyError(batch.run_id)
    if batch.fence is not None:
        fence = batch.fence
        if batch.new_run is not None:
            await conn.exec_driver_sql("INSERT INTO run_claims (run_id, holder, attempt, expires_at) "
                                       "VALUES ($1, $2, $3, $4)",
                                       (batch.run_id, fence.holder, fence.attempt, time.time() + fence.lease_seconds))
        elif (await conn.exec_driver_sql(f"SELECT {CLAIM_HELD.format(h='$2', a='$3')}",
                                         (batch.run_id, fence.holder, fence.attempt))).scalar() is not True:
            raise LeaseLost(batch.run_id)
    if batch.durable:
        await dialect.commit_durably(conn)
    driver: Any = (await conn.get_raw_connection()).driver_connection
    if batch.events:
        await driver.copy_records_to_table("events", records=batch.events, columns=list(EVENT_COLUMNS))
    await dialect.lock_images(conn, exclusive=False)
    insert_images = dialect.upsert(conn, images).on_conflict_do_nothing(index_elements=["sha256"])
    await conn.execute(insert_images, [image.as_row() for image in batch.images])
    if batch.nodes:
        await driver.executemany(_UPSERT_NODES, batch.nodes)
