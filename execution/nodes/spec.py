"""NodeSpec: everything that is true of one node type, beside its executor.

A node-family module declares one NodeSpec per type — its executor, its settings record, its
ports (fixed, or read from its settings) and join policy (execution.nodes.ports), whether it
calls a provider and with which default model, its version, policies and prompt modules — and
exports them in `NODE_SPECS`; execution.nodes.builtin assembles the registry from those lists.
The scheduler reads a node's spec, never a table of node-type names: it parses the node's
settings with `parse_settings` (once, when the run is wired: execution.wiring), resolves its
model from `default_model`, and awaits `executor` (through the cache, which reads
`cache_policy`). The same spec is what validation needs to reject bad settings before a run (one
`parse_settings` call per node, execution.wiring) and what the node-type catalogue lists
(execution.nodes.catalog): family, display name, description, the settings record's fields,
ports, output schema, `calls_provider`, default model, cache and retry policy, version.

Declare each spec as a module constant, then list the constants in NODE_SPECS: mypy checks that
an executor takes its spec's settings record where the constant's type is inferred, not inside
a `tuple[NodeSpec[Any], ...]` literal.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from types import ModuleType
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from execution.cache.canonical import digest, module_data
from execution.context import NodeContext
from execution.model_resolution import ModelChoice
from execution.nodes.ports import (
    IMAGE_OUT,
    PERSONA_IN,
    PERSONA_OUT,
    TEXT_IN,
    TEXT_OUT,
    JoinPolicy,
    NodePorts,
    Port,
    PortKind,
    PortSet,
)
from execution.nodes.setting_types import NodeSettings, parse_settings
from execution.outputs import NodeOutput

__all__ = [
    "IMAGE_OUT", "PERSONA_IN", "PERSONA_OUT", "TEXT_IN", "TEXT_OUT", "CachePolicy", "JoinPolicy", "NodeFamily",
    "NodePorts", "NodeSpec", "Port", "PortKind", "PortSet", "RetryPolicy",
]

S = TypeVar("S", bound=NodeSettings)


class NodeFamily(enum.Enum):
    DATA_SOURCE = "data_source"
    TEXT = "text"
    IMAGE = "image"
    OUTPUT = "output"
    # Templated pipelines (seed 002): a config's chunks run in one node.
    PIPELINE = "pipeline"
    # start, end, case, flow_select: where a flow begins, ends and branches.
    FLOW_CONTROL = "flow_control"
    # chat_input, context_history, data_block: what a run is given.
    INPUT = "input"
    # merge, selector, random: values in, values out.
    UTILITY = "utility"
    # llm_text, llm_structured: the seed's AI elements (any LLM provider, Bedrock included).
    AI = "ai"
    # custom_code: user Python in the sandbox.
    CODE = "code"
    # aptos_read, aptos_build_transaction: an Aptos fullnode's REST API.
    BLOCKCHAIN = "blockchain"
    DIAGNOSTIC = "diagnostic"


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Outputs of this node type may be reused (execution.cache): a node's key is its type's
    `cache_fingerprint` (type, version, prompt data), its settings, the call it resolves to and
    its inputs' digests. A type without a policy is never cached: it costs less to run than to
    look up (data sources, outputs) or has no call to save.

    `default`: cached when neither the node's `cache` setting nor the request says otherwise —
    a constant, or a test of the node (image generation: only with a fixed seed the vendor takes).
    `call`: what the node's provider call resolves to beyond its settings — provider, the model
    actually sent (defaults filled in), the vendor request — as JSON values; it may raise a
    NodeError when the call cannot be made (the node then runs uncached and fails as it would).
    `ttl_seconds`: how long an entry stays valid; None = the server's FLOWEXEC_CACHE_TTL_SECONDS.
    The key has no place for the run's inputs (`ctx.run_inputs`): a type that reads them (start,
    chat_input) declares no policy.
    """

    default: bool | Callable[[NodeContext[Any]], bool] = True
    call: Callable[[NodeContext[Any]], Mapping[str, Any]] | None = None
    ttl_seconds: float | None = None

    def cached_by_default(self, ctx: NodeContext[Any]) -> bool:
        return self.default if isinstance(self.default, bool) else self.default(ctx)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """A failed node of this type (a retryable NodeError) is run again as a whole. Declared for
    node-level retries to come; nothing reads it yet (provider calls retry on their own)."""

    max_attempts: int = 1
    backoff_seconds: float = 0.5


@dataclass(frozen=True, slots=True)
class NodeSpec(Generic[S]):
    node_type: str
    family: NodeFamily
    executor: Callable[[NodeContext[S]], Awaitable[NodeOutput]]
    # The record the node's `data` is parsed into; the executor reads it as `ctx.settings`.
    settings: type[S]
    _: KW_ONLY
    display_name: str
    description: str
    inputs: tuple[Port, ...] = ()
    outputs: tuple[Port, ...] = (TEXT_OUT,)
    # Ports that depend on the node's settings (an end node's input_schema, a case node's
    # branches); None: `inputs` and `outputs` are the ports. See execution.nodes.ports.
    ports: Callable[[S], NodePorts] | None = None
    # What the node's output holds beyond its ports (execution.nodes.catalog derives the rest of
    # its output schema from them): NodeOutput field → JSON schema, e.g. imageGenerator's `seed`.
    output_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, compare=False)
    # How the node joins inputs that were not taken (a merge reads it from its settings).
    join: JoinPolicy | Callable[[S], JoinPolicy] = JoinPolicy.SETTLED
    # The node's named values are the run's results (RunCompleted.results): `end`.
    results: bool = False
    calls_provider: bool = False
    # The provider/model a node of this type uses unless it names its own (see model_resolution).
    default_model: ModelChoice | None = None
    # Bumped when the executor's code changes what it outputs (part of cache keys; prompt text
    # need not bump it: see `prompts`).
    version: int = 1
    cache_policy: CachePolicy | None = None
    retry_policy: RetryPolicy | None = None
    # The prompt modules (execution.prompts.*) the executor renders from: their data — every
    # template, string and number in them — is part of `cache_fingerprint`, so an edited prompt
    # invalidates its node types' cached outputs without a version bump.
    prompts: tuple[ModuleType, ...] = ()
    # The record for empty settings, parsed once; None when empty settings do not parse.
    _unset: S | None = field(init=False, default=None, repr=False, compare=False)
    _reads_nothing: bool = field(init=False, default=False, repr=False, compare=False)
    # sha256 of (type, version, prompt data): what the type contributes to every key of its nodes.
    cache_fingerprint: str = field(init=False, default="", repr=False, compare=False)
    # The ports of a node with empty settings, read once (most nodes of most flows); for a type
    # whose ports do not depend on its settings, the ports of every node.
    _unset_ports: NodePorts | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            unset: S | None = self.settings.model_validate({})
        except ValidationError:
            unset = None
        object.__setattr__(self, "_unset", unset)
        object.__setattr__(self, "_reads_nothing", not self.settings.model_fields)
        if self.ports is None:
            object.__setattr__(self, "_unset_ports", NodePorts(PortSet(self.inputs), PortSet(self.outputs)))
        object.__setattr__(self, "cache_fingerprint", digest({
            "type": self.node_type, "version": self.version,
            "prompts": {module.__name__: module_data(module) for module in self.prompts}}))

    def node_ports(self, settings: S | None) -> NodePorts:
        """The ports of a node of this type with these settings (None will do for a type whose
        ports do not depend on them)."""
        ports = self._unset_ports
        if ports is not None and (self.ports is None or settings is self._unset):
            return ports
        assert self.ports is not None and settings is not None
        if settings is not self._unset:
            return self.ports(settings)
        ports = self.ports(settings)
        object.__setattr__(self, "_unset_ports", ports)
        return ports

    def default_ports(self) -> NodePorts | None:
        """The ports of a node with empty settings (what a new node of this type has); None when
        empty settings do not parse (a type whose ports need a setting)."""
        if self.ports is None:
            return NodePorts(PortSet(self.inputs), PortSet(self.outputs))
        return None if self._unset is None else self.node_ports(self._unset)

    def default_settings(self) -> S | None:
        """The record of empty settings; None when empty settings do not parse."""
        return self._unset

    def join_policy(self, settings: S) -> JoinPolicy:
        return self.join if isinstance(self.join, JoinPolicy) else self.join(settings)

    def parse_settings(self, data: Mapping[str, Any]) -> S:
        """The node's settings as this type's record; InvalidSettings names a setting that does
        not fit. Empty settings, and any settings of a type that reads none, cost no parse."""
        if self._unset is not None and (not data or self._reads_nothing):
            return self._unset
        return parse_settings(self.settings, data)
