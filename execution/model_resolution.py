"""Which provider and model a node uses.

Priority: the node's own `providerId` (seed-004 elements: `provider_id`)/`model` settings → its node type's default model (on the
type's NodeSpec) → the flow-level provider. A node that sets only `model` keeps the provider the
rest of the chain picks. An empty model means "the provider's default model".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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


def _setting(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""
