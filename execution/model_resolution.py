"""Which provider and model a node uses.

Priority: the node's own `providerId` (seed-004 elements: `provider_id`)/`model` settings → its node type's default model (on the
type's NodeSpec) → the flow-level provider. A node that sets only `model` keeps the provider the
rest of the chain picks. An empty model means "the provider's default model".

A model written `task:NAME` (seed 002) names a task instead: the task table
(execution.model_tasks) picks provider and model for the run's execution mode — the node's
`executionMode` setting, else the request's, else the server's — and the task's provider
replaces any the node named (`resolve_node_model`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from execution.errors import InvalidSettings
from execution.model_tasks.mode import ExecutionMode

if TYPE_CHECKING:
    from execution.model_tasks.table import ModelTasks


class ModelSource(enum.Enum):
    NODE = "node"
    TYPE_DEFAULT = "type_default"
    FLOW = "flow"


@dataclass(frozen=True, slots=True)
class ModelChoice:
    provider_id: str
    model: str = ""


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    provider_id: str
    model: str
    source: ModelSource
    # The task the model was chosen for (`translation` from `task:translation`), or "".
    task: str = ""
    # The node's execution mode (its own, the request's or the server's): what its task models,
    # and a pipeline's, resolve with.
    mode: ExecutionMode = ExecutionMode.ECO


def resolve_model(type_default: ModelChoice | None, data: Mapping[str, Any], flow_provider_id: str) -> ResolvedModel:
    """`type_default` is the node type's default model (NodeSpec.default_model), `data` the node's settings."""
    node_provider = _setting(data, "providerId") or _setting(data, "provider_id")  # editor | seed-004 spelling
    node_model = _setting(data, "model")
    if node_provider:
        return ResolvedModel(node_provider, node_model, ModelSource.NODE)
    if type_default is not None:
        if node_model:
            return ResolvedModel(type_default.provider_id, node_model, ModelSource.NODE)
        return ResolvedModel(type_default.provider_id, type_default.model, ModelSource.TYPE_DEFAULT)
    return ResolvedModel(flow_provider_id, node_model, ModelSource.NODE if node_model else ModelSource.FLOW)


def resolve_node_model(type_default: ModelChoice | None, data: Mapping[str, Any], flow_provider_id: str, *,
                       tasks: ModelTasks, request_mode: ExecutionMode | None) -> ResolvedModel:
    """`resolve_model`, with a `task:NAME` model replaced by the task's provider and model in the
    node's mode. InvalidSettings names `executionMode` or `model` when either does not fit."""
    resolved = resolve_model(type_default, data, flow_provider_id)
    mode = node_mode(data) or request_mode or tasks.default_mode
    if not tasks.names_task(resolved.model):
        return replace(resolved, mode=mode) if mode is not resolved.mode else resolved
    try:
        choice = tasks.resolve(resolved.model, mode)
    except ValueError as exc:
        raise InvalidSettings("model", f"'model' {exc}") from None
    return ResolvedModel(choice.provider_id, choice.model, resolved.source, resolved.model.removeprefix("task:"), mode)


# The settings resolve_node_model reads; a node without any of them gets its type's default, or the flow's.
MODEL_SETTINGS = frozenset(("providerId", "provider_id", "model", "executionMode"))


def node_mode(data: Mapping[str, Any]) -> ExecutionMode | None:
    """The node's own `executionMode` (None when unset); InvalidSettings when it is not a mode."""
    value = data.get("executionMode")
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError('must be "eco" or "fast"')
        return ExecutionMode.parse(value)
    except ValueError as exc:
        raise InvalidSettings("executionMode", f"'executionMode' {exc}") from None


def _setting(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""
