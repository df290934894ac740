"""NodeCache: reuse a node's output when everything that determines it is unchanged.

One NodeCache per process (the Engine holds it), shared by every run; each run gets a RunCache
that the scheduler awaits instead of the node's executor — the one hook in the run:

    output = await run_cache.run(spec, ctx)

For a node whose type has a CachePolicy (execution.nodes.spec) the RunCache decides the mode
(execution.cache.mode: the request's, the node's `cache` setting, the type's default), makes
the key (execution.cache.key), and then:

- USE: a stored entry is the node's output, marked `cached` — no provider call, no executor,
  no budget spent (the gate is on the provider calls, behind this), no token usage;
- USE without an entry, or REFRESH: the executor runs under single flight (execution.cache.flights:
  identical keys running at once share one call) and the output is stored off the node's path
  (execution.cache.writer);
- BYPASS, a type without a policy, a dry run, or a call that cannot be resolved (unknown
  provider, no model: the executor then fails as it would): the executor runs, nothing is
  read or written.

Scope: keys hold the run's owner, so one user's entries never answer another's (a hit would
tell, by its speed, that someone sent the same prompt); `shared` puts everyone in one scope.
What is stored is redacted like every output (a vendor that echoed a key leaves no key in the
database); an output made without a provider call (a pass-through: no language to translate,
text too short to compress) or from a dry-run stand-in is not stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from execution.cache.canonical import NotData
from execution.cache.flights import Flights
from execution.cache.key import OutputDigests, node_key
from execution.cache.mode import CacheMode, NodeCacheChoice, node_mode
from execution.cache.store import CacheEntry, CacheStore
from execution.cache.writer import CacheWriter
from execution.errors import NodeError
from execution.graph.model import RunOptions
from execution.node_redaction import NodeRedaction
from execution.outputs import NO_USAGE, NodeOutput

if TYPE_CHECKING:
    from execution.context import NodeContext
    from execution.nodes.spec import CachePolicy, NodeSpec

log = logging.getLogger("flowexec.cache")

DAY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class CacheConfig:
    # How long an entry stays valid, unless its type's policy says; 0 = until evicted.
    ttl_seconds: float = 7 * DAY
    # Bytes the store may hold (entry_size); past it the least recently used go.
    max_bytes: int = 1024 * 1024 * 1024
    # One scope for every owner: a user's entries answer everyone's identical nodes.
    shared: bool = False


@dataclass(slots=True)
class CacheCounters:
    """What the cache did since the process started (nodes with a policy, not bypassed)."""

    hits: int = 0
    # Followers of a single flight: the output came from another node's call.
    shared: int = 0
    computed: int = 0
    lookup_failures: int = 0


class NodeCache:
    def __init__(self, store: CacheStore, config: CacheConfig | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.config = config or CacheConfig()
        self.clock = clock
        self.flights = Flights()
        self.writer = CacheWriter(store, self.config.max_bytes, clock)
        self.counters = CacheCounters()

    def for_run(self, options: RunOptions) -> RunCache | NoCache:
        if options.dry_run or options.cache_mode is CacheMode.BYPASS:
            return NO_CACHE
        scope = ["shared"] if self.config.shared else ["owner", options.owner]
        return RunCache(self, scope, options.cache_mode)

    async def lookup(self, key: str) -> NodeOutput | None:
        """The stored output of `key`, or None (also when the store cannot be read: the node runs)."""
        now = self.clock()
        entry = self.writer.pending(key)
        if entry is None:
            try:
                entry = await self.store.get(key, now)
            except Exception as error:
                self.counters.lookup_failures += 1
                log.warning("cache: lookup failed, the node runs: %s", error)
                return None
        elif entry.expired(now):
            entry = None
        if entry is None:
            return None
        self.writer.use(key, now)
        return entry.output

    def remember(self, key: str, node_type: str, output: NodeOutput, ttl: float) -> None:
        now = self.clock()
        self.writer.put(CacheEntry(key, node_type, output, now, now + ttl if ttl > 0 else None))

    async def flush(self) -> None:
        await self.writer.flush()

    async def close(self) -> None:
        """Write what is queued, then close the store."""
        await self.writer.close()
        await self.store.close()


class NoCache:
    """A run that uses no cache: every node's executor runs."""

    async def run(self, spec: NodeSpec[Any], ctx: NodeContext[Any]) -> NodeOutput:
        return await spec.executor(ctx)


NO_CACHE = NoCache()


class RunCache(NoCache):
    """One run's view of the cache: its scope, its mode, its outputs' digests."""

    def __init__(self, cache: NodeCache, scope: list[str], mode: CacheMode) -> None:
        self._cache = cache
        self._scope = scope
        self._mode = mode
        self._digests = OutputDigests()

    async def run(self, spec: NodeSpec[Any], ctx: NodeContext[Any]) -> NodeOutput:
        policy = spec.cache_policy
        if policy is None:
            return await spec.executor(ctx)
        try:
            mode = node_mode(self._mode, getattr(ctx.settings, "cache", NodeCacheChoice.DEFAULT),
                             policy.cached_by_default(ctx), dry_run=ctx.dry_run)
            key = None if mode is CacheMode.BYPASS else self.key(spec, policy, ctx)
        except (NodeError, NotData):  # the call cannot be resolved (the executor will say why)
            key = None
        if key is None:
            return await spec.executor(ctx)
        cache = self._cache
        if mode is CacheMode.USE and (stored := await cache.lookup(key)) is not None:
            cache.counters.hits += 1
            return replace(stored, cached=True, usage=NO_USAGE)
        output, shared = await cache.flights.run(key, lambda: self._compute(spec, policy, ctx, key))
        if shared:  # the leader's call: its tokens are the leader's run's, not counted twice
            cache.counters.shared += 1
            return replace(output, cached=True, usage=NO_USAGE)
        return output

    def key(self, spec: NodeSpec[Any], policy: CachePolicy, ctx: NodeContext[Any]) -> str:
        """The node's key in this run's scope (execution.cache.key)."""
        call = policy.call(ctx) if policy.call is not None else None
        return node_key(scope=self._scope, fingerprint=spec.cache_fingerprint, settings=ctx.settings, call=call,
                        inputs=ctx.inputs, adapters=ctx.adapter_inputs, digests=self._digests, values=ctx.values)

    async def _compute(self, spec: NodeSpec[Any], policy: CachePolicy, ctx: NodeContext[Any], key: str) -> NodeOutput:
        cache = self._cache
        output = await spec.executor(ctx)
        cache.counters.computed += 1
        # Stored: answers that cost a provider call. Not a pass-through (running it again costs
        # less than a lookup), nor a stand-in computed from a dry-run input.
        if output.provider_calls and not output.dry_run:
            stored = output
            if ctx.services.redactor.active:
                _, stored = NodeRedaction(ctx.services.redactor).finish(ctx.node_id, output)
            ttl = policy.ttl_seconds if policy.ttl_seconds is not None else cache.config.ttl_seconds
            cache.remember(key, spec.node_type, replace(stored, duration_ms=0, cached=False, usage=NO_USAGE), ttl)
        return output
