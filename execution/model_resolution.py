"""Which provider and model a node uses (seed §1 "Model Resolution").

Priority: the node's own `providerId`/`model` settings → the per-type default table →
the flow-level provider. A node that sets only `model` keeps the provider the rest of
the chain picks. An empty model means "the provider's default model".
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


NODE_MODEL_DEFAULTS: Mapping[str, ModelChoice] = {
    "grammarFix": ModelChoice("mistral", "ministral-14b-2512"),
    "compressor": ModelChoice("mistral", "ministral-14b-2512"),
    "promptEnhancer": ModelChoice("mistral", "ministral-14b-2512"),
    "initialPrompt": ModelChoice("mistral", "ministral-14b-2512"),
    "translator": ModelChoice("mistral", "ministral-14b-2512"),
    "storyTeller": ModelChoice("mistral", "labs-mistral-small-creative"),
    "imageDescriber": ModelChoice("claude"),
    "personasReplacer": ModelChoice("claude"),
}


def resolve_model(
    node_type: str,
    data: Mapping[str, Any],
    flow_provider_id: str,
    defaults: Mapping[str, ModelChoice] = NODE_MODEL_DEFAULTS,
) -> ResolvedModel:
    node_provider = _setting(data, "providerId")
    node_model = _setting(data, "model")
    if node_provider:
        return ResolvedModel(node_provider, node_model, ModelSource.NODE)
    default = defaults.get(node_type)
    if default is not None:
        if node_model:
            return ResolvedModel(default.provider_id, node_model, ModelSource.NODE)
        return ResolvedModel(default.provider_id, default.model, ModelSource.TYPE_DEFAULT)
    return ResolvedModel(flow_provider_id, node_model, ModelSource.NODE if node_model else ModelSource.FLOW)


def _setting(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""
