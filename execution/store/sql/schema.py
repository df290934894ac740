"""The store's tables as SQLAlchemy Core metadata: the one description of the schema.

The Alembic revisions in `migrations/versions` create exactly this (a test compares them), and
the store's queries are written against these Table objects, the same for SQLite and PostgreSQL.

- runs: one row per run. Counts are four columns (not a blob) and planned node ids a JSON
  array (read whole, never queried). (owner, idempotency_key) is unique; NULL keys never
  collide on either backend.
- events: (run_id, seq) is the primary key, so a replay is a range scan of that index and a
  duplicate seq is refused by the database. Payloads are the server's bytes, untouched.
- nodes: each planned node's last record; output is our own JSON codec (sql/output_codec.py),
  the image kept by reference (image_sha256) to images.
- images: content-addressed (sha256 of the bytes), stored once however many outputs hold them.
- run_claims: which replica executes a run (PostgreSQL; execution.store.leases): its holder (a
  process's id), the attempt (raised by each takeover; every batch of the run is fenced by it)
  and when the lease expires unless its holder renews it.
- cache_entries: the node-output cache (execution.cache): one row per key (a sha256 that already
  holds the owner's scope), the output in the same codec as `nodes`, its image inline (entries
  come and go on their own; sharing `images` would tie them to the runs' retention), its size
  for the byte cap, and the times eviction orders by (last use for LRU, expiry for the TTL).
- provider_budgets: each user × provider's budget state when replicas share the budgets
  (PostgreSQL; execution.ratelimit.shared): per budget (requests, tokens) a GCRA theoretical
  arrival time and the end of its line of waiting calls, the user's token debt, and when the
  row is idle again (full buckets, nobody in line) so a sweep can drop it.

No foreign keys: the store writes every related row in one transaction and deletes them
together (retention), and a per-row FK check on events would tax the hottest insert.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
})

RUN_ID = sa.String(64)
NODE_ID = sa.String(255)
SHA256_HEX = sa.String(64)

runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", RUN_ID, primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("flow_id", sa.String(255), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("parent_run_id", RUN_ID, nullable=True),
    sa.Column("dry_run", sa.Boolean(), nullable=False),
    sa.Column("request", sa.LargeBinary(), nullable=False),
    sa.Column("planned_node_ids", sa.Text(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
    sa.Column("started_at", sa.Double(), nullable=True),
    sa.Column("finished_at", sa.Double(), nullable=True),
    sa.Column("last_seq", sa.BigInteger(), nullable=False),
    sa.Column("count_complete", sa.Integer(), nullable=False),
    sa.Column("count_error", sa.Integer(), nullable=False),
    sa.Column("count_skipped", sa.Integer(), nullable=False),
    sa.Column("count_cancelled", sa.Integer(), nullable=False),
    sa.Column("fully_stored", sa.Boolean(), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.UniqueConstraint("owner", "idempotency_key"),
    # ListRuns: equality on owner, then (created_at, run_id) read backwards for newest first.
    sa.Index(None, "owner", "created_at", "run_id"),
    # ListRuns filtered by flow id, the same order.
    sa.Index(None, "owner", "flow_id", "created_at", "run_id"),
    # unfinished_runs at start-up.
    sa.Index(None, "state"),
    # Retention: finished runs older than a cutoff (NULL while unfinished).
    sa.Index(None, "finished_at"),
)

events = sa.Table(
    "events", metadata,
    sa.Column("run_id", RUN_ID, primary_key=True),
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("payload", sa.LargeBinary(), nullable=False),
)

nodes = sa.Table(
    "nodes", metadata,
    sa.Column("run_id", RUN_ID, primary_key=True),
    sa.Column("node_id", NODE_ID, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("retryable", sa.Boolean(), nullable=False),
    # NodeOutput as JSON text (output_codec); NULL while the node has none.
    sa.Column("output", sa.Text(), nullable=True),
    # The output's image in `images`; NULL without an image or when it was over the size limit.
    sa.Column("image_sha256", SHA256_HEX, nullable=True),
    # The output had an image whose bytes were not stored (over the size limit).
    sa.Column("image_omitted", sa.Boolean(), nullable=False),
    # Image garbage collection: is this image still referenced?
    sa.Index(None, "image_sha256"),
)

images = sa.Table(
    "images", metadata,
    sa.Column("sha256", SHA256_HEX, primary_key=True),
    sa.Column("mime_type", sa.String(255), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
)

cache_entries = sa.Table(
    "cache_entries", metadata,
    sa.Column("key", SHA256_HEX, primary_key=True),
    sa.Column("node_type", sa.String(255), nullable=False),
    # NodeOutput as JSON text (output_codec); its image's bytes in `image`.
    sa.Column("output", sa.Text(), nullable=False),
    sa.Column("image", sa.LargeBinary(), nullable=True),
    # execution.cache.store.entry_size: the encoded output plus the image.
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
    sa.Column("last_used_at", sa.Double(), nullable=False),
    # NULL: no TTL.
    sa.Column("expires_at", sa.Double(), nullable=True),
    sa.Column("hits", sa.BigInteger(), nullable=False),
    # Eviction: least recently used first; expired entries.
    sa.Index(None, "last_used_at"),
    sa.Index(None, "expires_at"),
    # `flowexec cache clear --node-type`, stats per type.
    sa.Index(None, "node_type"),
)

run_claims = sa.Table(
    "run_claims", metadata,
    sa.Column("run_id", RUN_ID, primary_key=True),
    # The replica (process) holding the lease: a random id per process.
    sa.Column("holder", sa.String(64), nullable=False),
    # 1 for the replica that started the run, raised by each takeover.
    sa.Column("attempt", sa.Integer(), nullable=False),
    # Unix seconds; renewed by the holder's heartbeat.
    sa.Column("expires_at", sa.Double(), nullable=False),
    # Renewal: all the leases of one holder.
    sa.Index(None, "holder"),
)

# Times in integer microseconds of the database clock (epoch): GCRA's state stays exact in a BIGINT.
provider_budgets = sa.Table(
    "provider_budgets", metadata,
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("provider_id", sa.String(255), primary_key=True),
    # The request bucket: theoretical arrival time, and the wake-up time of the last call told to wait.
    sa.Column("requests_tat", sa.BigInteger(), nullable=False),
    sa.Column("requests_line", sa.BigInteger(), nullable=False),
    # The token bucket, the same two times.
    sa.Column("tokens_tat", sa.BigInteger(), nullable=False),
    sa.Column("tokens_line", sa.BigInteger(), nullable=False),
    # Tokens used beyond what could be charged at settlement; the user's next call pays them.
    sa.Column("debt", sa.BigInteger(), nullable=False),
    # The latest acquire's outcome, kept so its statement's RETURNING can report it (RETURNING sees
    # the new row only): 0 admitted, 1 refused by the request budget, 2 by the token budget; and
    # the tokens it charged for the call itself (debt excluded).
    sa.Column("verdict", sa.SmallInteger(), nullable=False),
    sa.Column("charged", sa.BigInteger(), nullable=False),
    # The latest of the four times above: the row is idle (may be dropped) once it is past and debt is 0.
    sa.Column("idle_at", sa.BigInteger(), nullable=False),
    sa.Index(None, "idle_at"),
)
