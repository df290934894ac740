"""The node-type catalogue and the model defaults ⇄ protobuf (ListNodeTypes, GetModelDefaults).

`CatalogMessages` answers both from the engine's registry and services and the plugin reports of
start-up (execution.nodes.catalog, execution.model_defaults, execution.nodes.plugins). The
registry does not change while the server runs, so each answer is built once and kept. A bad
filter raises BadField naming the request field. A plugin's error text crosses the redactor: it
came from third-party code, which may have put a key in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.model_defaults import ModelDefaults, ProviderKind, model_defaults
from execution.model_resolution import ModelChoice
from execution.nodes.catalog import CacheDefault, FieldInfo, NodeTypeInfo, PortInfo, catalogue
from execution.nodes.plugins import PluginReport
from execution.nodes.ports import JoinPolicy, PortKind
from execution.nodes.registry import NodeRegistry
from execution.services import Services
from flowexec.v1 import catalog_pb2
from server.convert import fill_value
from server.run_messages import BadField

_PORT_KIND = {k: catalog_pb2.PortKind.Value(f"PORT_KIND_{k.name}") for k in PortKind}
_CACHE = {c: catalog_pb2.CacheDefault.Value(f"CACHE_DEFAULT_{c.name}") for c in CacheDefault}
_JOIN = {j: catalog_pb2.JoinPolicy.Value(f"JOIN_POLICY_{j.name}") for j in JoinPolicy}
_PROVIDER_KIND = {k: catalog_pb2.ProviderKind.Value(f"PROVIDER_KIND_{k.name}") for k in ProviderKind}


class CatalogMessages:
    def __init__(self, registry: NodeRegistry, services: Services, plugins: tuple[PluginReport, ...] = ()) -> None:
        self._registry = registry
        self._services = services
        self._plugins = plugins
        self._types: dict[str, catalog_pb2.ListNodeTypesResponse] = {}
        self._defaults: dict[tuple[str, str], catalog_pb2.GetModelDefaultsResponse] = {}

    def list_node_types(self, request: catalog_pb2.ListNodeTypesRequest) -> catalog_pb2.ListNodeTypesResponse:
        key = request.family.strip()
        cached = self._types.get(key)
        if cached is not None:
            return cached
        families = list(dict.fromkeys(spec.family for spec in self._registry))
        family = None
        if key:
            family = next((f for f in families if f.value == key), None)
            if family is None:
                raise BadField("family", f"unknown family {key[:64]!r} (known: {', '.join(f.value for f in families)})")
        response = catalog_pb2.ListNodeTypesResponse(families=[f.value for f in families])
        for info in catalogue(self._registry, family):
            _fill_type(response.node_types.add(), info)
        redact = self._services.redactor.redact
        for report in self._plugins:
            response.plugins.add(name=report.name, distribution=report.distribution, version=report.version,
                                 node_types=report.node_types, error=redact(report.error))
        self._types[key] = response
        return response

    def get_model_defaults(self, request: catalog_pb2.GetModelDefaultsRequest) -> catalog_pb2.GetModelDefaultsResponse:
        key = (request.node_type.strip(), request.provider_id.strip())
        cached = self._defaults.get(key)
        if cached is not None:
            return cached
        defaults = model_defaults(self._registry, self._services)
        node_type, provider_id = key
        if node_type and node_type not in self._registry:
            raise BadField("node_type", f"unknown node type {node_type[:64]!r}")
        if provider_id and not any(p.provider_id == provider_id for p in defaults.providers):
            known = ", ".join(dict.fromkeys(p.provider_id for p in defaults.providers))
            raise BadField("provider_id", f"unknown provider {provider_id[:64]!r} (known: {known})")
        response = _defaults_message(defaults, node_type, provider_id)
        self._defaults[key] = response
        return response


def _fill_type(msg: catalog_pb2.NodeType, info: NodeTypeInfo) -> None:
    msg.type = info.node_type
    msg.family = info.family.value
    msg.display_name = info.display_name
    msg.description = info.description
    msg.version = info.version
    for field in info.fields:
        _fill_field(msg.fields.add(), field)
    _fill_struct(msg.settings_schema, info.settings_schema)
    msg.inputs.extend(_port(p) for p in info.inputs)
    msg.inputs_open = info.inputs_open
    msg.outputs.extend(_port(p) for p in info.outputs)
    msg.outputs_open = info.outputs_open
    msg.ports_from_settings = info.ports_from_settings
    _fill_struct(msg.output_schema, info.output_schema)
    msg.calls_provider = info.calls_provider
    if info.default_model is not None:
        _fill_model(msg.default_model, info.default_model)
    msg.cache_default = _CACHE[info.cache]
    msg.cache_ttl_seconds = info.cache_ttl_seconds or 0.0
    if info.retry_policy is not None:
        msg.retry_policy.max_attempts = info.retry_policy.max_attempts
        msg.retry_policy.backoff_seconds = info.retry_policy.backoff_seconds
    msg.join = _JOIN[info.join]
    msg.join_from_settings = info.join_from_settings
    msg.results = info.results
    msg.origin = info.origin


def _fill_field(msg: catalog_pb2.NodeField, field: FieldInfo) -> None:
    msg.name = field.name
    msg.label = field.label
    msg.description = field.description
    msg.type = field.type
    msg.nullable = field.nullable
    if field.has_default:
        fill_value(msg.default_value, field.default)
    msg.options.extend(field.options)
    msg.options_open = field.options_open
    msg.required = field.required
    if field.minimum is not None:
        msg.minimum = field.minimum
    if field.maximum is not None:
        msg.maximum = field.maximum
    _fill_struct(msg.schema, field.schema)


def _port(port: PortInfo) -> catalog_pb2.NodePort:
    return catalog_pb2.NodePort(name=port.name, kind=_PORT_KIND[port.kind], branch=port.branch,
                                required=port.required, description=port.description)


def _fill_model(msg: catalog_pb2.ModelRef, choice: ModelChoice) -> None:
    msg.provider_id = choice.provider_id
    msg.model = choice.model


def _fill_struct(msg: Any, schema: Mapping[str, Any]) -> None:
    msg.SetInParent()
    msg.update(schema)


def _defaults_message(defaults: ModelDefaults, node_type: str, provider_id: str) -> catalog_pb2.GetModelDefaultsResponse:
    response = catalog_pb2.GetModelDefaultsResponse(default_image_provider=defaults.default_image_provider,
                                                    default_execution_mode=defaults.default_mode.value)
    for node in defaults.node_types:
        if node_type and node.node_type != node_type:
            continue
        added = response.node_types.add(node_type=node.node_type)
        if node.default is not None:
            _fill_model(added.default_model, node.default)
    for provider in defaults.providers:
        if provider_id and provider.provider_id != provider_id:
            continue
        response.providers.add(provider_id=provider.provider_id, kind=_PROVIDER_KIND[provider.kind],
                               default_model=provider.default_model, vision_model=provider.vision_model,
                               aliases=provider.aliases)
    for row in defaults.tasks:
        task = response.tasks.add(name=row.name, always_local=row.always_local, description=row.description)
        _fill_model(task.eco, row.eco)
        _fill_model(task.fast, row.fast)
    return response

