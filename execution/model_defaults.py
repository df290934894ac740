"""Model defaults: what the editor's `model-defaults.ts` held, read from where the server keeps it.

- per node type: its NodeSpec's `default_model` (execution.model_resolution: the node's own
  choice → this → the flow's provider); a type that calls a provider without one follows the flow;
- per provider: the model a call gets when it names none (the `<id>_model` settings,
  FLOWEXEC_<ID>_MODEL, for text providers; each image vendor's own default), and the model vision
  nodes use when they name none (the provider table's `vision_model`);
- the image vendor used when neither node nor flow names one (FLOWEXEC_IMAGE_PROVIDER);
- the task table (`task:NAME` models per execution mode) and the server's default mode.

Nothing here holds a key or a base URL: what a client learns is which models it would get.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from execution.model_resolution import ModelChoice
from execution.model_tasks.mode import ExecutionMode
from execution.model_tasks.table import TaskRow
from execution.nodes.registry import NodeRegistry
from execution.providers.catalog import LLM_PROVIDERS, endpoint_for
from execution.providers.image_vendors.vendor_table import IMAGE_VENDORS
from execution.services import Services


class ProviderKind(enum.Enum):
    TEXT = "text"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class NodeModelDefault:
    node_type: str
    # None: the type has no default; its nodes use the flow's provider (and that provider's default model).
    default: ModelChoice | None


@dataclass(frozen=True, slots=True)
class ProviderDefault:
    provider_id: str
    kind: ProviderKind
    # The model a call to this provider gets when it names none; "" = a node must name one.
    default_model: str
    # Text providers: the model vision nodes use when they name none ("" = `default_model` reads images).
    vision_model: str = ""
    # Other spellings accepted for this provider id (image vendors).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelDefaults:
    node_types: tuple[NodeModelDefault, ...]
    providers: tuple[ProviderDefault, ...]
    default_image_provider: str
    tasks: tuple[TaskRow, ...]
    default_mode: ExecutionMode


def model_defaults(registry: NodeRegistry, services: Services) -> ModelDefaults:
    """The defaults of every node type of `registry` that calls a provider, and of every provider
    `services` knows."""
    nodes = tuple(NodeModelDefault(spec.node_type, spec.default_model) for spec in registry if spec.calls_provider)
    settings = services.provider_settings
    text = tuple(ProviderDefault(spec.provider_id, ProviderKind.TEXT, endpoint_for(spec, settings).default_model,
                                 vision_model=spec.profile.vision_model) for spec in LLM_PROVIDERS)
    vendors = services.images.providers
    images = tuple(ProviderDefault(row.provider_id, ProviderKind.IMAGE, vendors.generators[row.provider_id].default_model,
                                   aliases=row.aliases) for row in IMAGE_VENDORS)
    table = services.model_tasks.table
    return ModelDefaults(nodes, (*text, *images), vendors.default_vendor,
                         tuple(table.row(name) for name in table.names), services.model_tasks.default_mode)
