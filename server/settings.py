"""Server settings, from FLOWEXEC_* environment variables or a `.env` file.

Provider keys and base URLs are read by the provider layer (execution.providers), not here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, NonNegativeFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.cache.node_cache import CacheConfig
from execution.run_limits import Limits
from execution.runs.policy import DAY, RunPolicy
from execution.store.open import default_data_dir
from server.event_loop import EventLoop

# The database URL that keeps everything in the process (persistence off).
MEMORY_STORE = "memory"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOWEXEC_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface to listen on (0.0.0.0 in a container).")
    port: int = Field(50051, description="Port to listen on; 0 picks a free one.")
    reuse_port: bool = Field(
        False, description="Bind with SO_REUSEPORT (set for the workers of `flowexec serve --workers N`).")
    max_message_bytes: int = Field(64 * 1024 * 1024, description="Largest gRPC message either way.")
    max_nodes: int = Field(2000, description="Most nodes in one flow.")
    max_edges: int = Field(10000, description="Most edges in one flow.")
    max_node_data_bytes: int = Field(16 * 1024 * 1024, description="Largest settings (`data`) of one node.")
    default_concurrency: int = Field(16, description="Nodes executing at once in a run, by default.")
    max_concurrency: int = Field(256, description="Ceiling for a request's max_concurrency.")
    max_node_text_bytes: int = Field(
        1024 * 1024, description="Text one node may receive from its inputs, stream or output (UTF-8 bytes).")
    max_summary_text_bytes: int = Field(
        4 * 1024 * 1024, description="Text RunCompleted repeats over all outputs; the rest go without text.")
    max_active_runs: int = Field(2000, description="Runs executing at once; more wait queued.")
    max_active_runs_per_user: int = Field(
        0, ge=0, description="Runs one user (token subject) may have executing; more wait queued. 0 = no cap.")
    max_running_nodes_per_user: int = Field(
        0, ge=0, description="Nodes running at once over all of one user's runs; 0 = no cap.")
    max_queued_runs: int = Field(1000, ge=0, description="Runs waiting at once; more get RESOURCE_EXHAUSTED.")
    max_queued_runs_per_user: int = Field(100, ge=0, description="Runs one user may have waiting at once.")
    database_url: str = Field(
        "", description="Where runs and the node-output cache are stored: empty = the SQLite file flowexec.db in "
                        "the data dir; `sqlite:///path.db`; `postgresql://user:password@host/db`; `memory` keeps them in the "
                        "process only (persistence off).")
    data_dir: Path = Field(default_factory=default_data_dir,
                           description="Where local data (the default SQLite database) lives: $XDG_DATA_HOME/flowexec, "
                                       "else ~/.local/share/flowexec.")
    run_retention_seconds: float = Field(30 * DAY, ge=0, description="Finished runs older than this are deleted (0: never).")
    retention_check_seconds: float = Field(3600.0, gt=0, description="How often expired runs are looked for.")
    memory_store_max_bytes: int = Field(
        256 * 1024 * 1024, description="With persistence off: bytes of stored runs kept; the oldest finished go first.")
    watch_keepalive_seconds: float = Field(
        15.0, gt=0, description="A quiet WatchRun/ExecuteFlow stream sends an empty response this often.")
    resume_interrupted: bool = Field(
        False, description="At start-up, resume the runs the last process left unfinished (they are INTERRUPTED).")
    run_lease_seconds: float = Field(
        15.0, gt=0, description="Replicas sharing PostgreSQL: a run whose executing replica has not renewed its "
        "lease for this long is taken over by another (interrupted; resumed with resume_interrupted).")
    call_pickup_seconds: int = Field(
        300, gt=0, description="How long a call may wait for a busy server to pick it up before gRPC cancels it "
        "(grpc.server_max_unrequested_time_in_server; gRPC's own default is 30 s).")
    shared_budgets: bool = Field(
        True, description="Replicas sharing PostgreSQL: keep the provider budgets (FLOWEXEC_PROVIDER_RPM/TPM) in the "
        "database, one budget per user × provider over every replica; false keeps them in each process (each "
        "replica then allows the whole budget). SQLite and memory stores always keep them in the process.")
    shutdown_grace_seconds: float = Field(30.0, description="On SIGTERM, time in-flight runs get to finish.")
    shutdown_flush_seconds: float = Field(
        2.0, description="After the grace period, time cancelled runs get to deliver their last events.")
    stream_high_water: int = Field(
        4096, description="Events a run queues ahead of a slow reader before it waits (see execution.stream).")
    cache_enabled: bool = Field(True, description="Reuse a node's output when everything that determines it is "
                                                  "unchanged (execution.cache).")
    cache_ttl_seconds: NonNegativeFloat = Field(
        7 * DAY, description="How long a cached output stays valid (unless its node type says); 0 = until evicted.")
    cache_max_bytes: PositiveInt = Field(
        1024 * 1024 * 1024, description="Bytes of cached outputs kept; past it the least recently used go.")
    cache_shared: bool = Field(
        False, description="One cache for every user; off, a user's entries answer only that user's runs.")
    log_level: str = Field("INFO", description="Python logging level.")
    event_loop: EventLoop = Field(
        EventLoop.ASYNCIO, description="The event loop: `asyncio` (the standard library's) or `uvloop` (the "
                                       "no Windows build; a run's server CPU in bench/README.md, figure 4).")
    diagnostic_nodes: bool = Field(False, description="Register diag.* test nodes (tests, benchmarks).")
    load_plugins: bool = Field(
        False, description="At start-up, load the node types of installed plugins (entry point group "
                           "`flowexec.nodes`); off, only the built-in node types run.")
    plugins: str = Field(
        "", description="With load_plugins: only these plugins, by entry-point or distribution name "
                        "(comma-separated); empty = every installed plugin.")
    expose_provider_calls: bool = Field(
        False, description="Let a live run's request ask for its outputs' provider calls (provider, model, full "
                           "prompts) with options.include_provider_calls; off, only dry runs carry them.")
    auth_jwt_secret: SecretStr | None = Field(
        None, description="When set, FlowService and reflection calls need `authorization: Bearer <jwt>` signed with it.")
    auth_jwt_algorithms: tuple[str, ...] = Field(("HS256",), description="Accepted JWT algorithms.")
    auth_jwt_audience: str | None = Field(None, description="Required `aud` claim, if any.")
    auth_jwt_issuer: str | None = Field(None, description="Required `iss` claim, if any.")

    def plugin_allow_list(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.plugins.split(",") if name.strip())

    def run_policy(self) -> RunPolicy:
        return RunPolicy(
            max_active_runs=self.max_active_runs,
            max_queued_runs=self.max_queued_runs,
            max_queued_runs_per_owner=self.max_queued_runs_per_user,
            max_active_runs_per_owner=self.max_active_runs_per_user,
            watch_keepalive_seconds=self.watch_keepalive_seconds,
            retention_seconds=self.run_retention_seconds,
            retention_check_seconds=self.retention_check_seconds,
            resume_interrupted=self.resume_interrupted,
            lease_seconds=self.run_lease_seconds,
        )

    def cache_config(self) -> CacheConfig:
        return CacheConfig(ttl_seconds=self.cache_ttl_seconds, max_bytes=self.cache_max_bytes,
                           shared=self.cache_shared)

    def limits(self) -> Limits:
        return Limits(
            max_nodes=self.max_nodes,
            max_edges=self.max_edges,
            max_node_data_bytes=self.max_node_data_bytes,
            default_concurrency=self.default_concurrency,
            max_concurrency=self.max_concurrency,
            max_node_text_bytes=self.max_node_text_bytes,
            max_summary_text_bytes=self.max_summary_text_bytes,
            stream_high_water=self.stream_high_water,
            max_running_nodes_per_user=self.max_running_nodes_per_user,
        )
