"""The node-type catalogue: what every node type of a registry declares, read from its NodeSpec.

There is no second table (seed 001 kept one in `agentic_components`, `component_fields`,
`component_ports`, `component_output_schema`): each entry is derived from the spec the engine
runs, so the catalogue cannot disagree with execution or validation.

- fields: the settings record's JSON schema (`model_json_schema(by_alias=True)`), one entry per
  setting as the node's `data` spells it — type, default, options (an `Options` marker or a
  `Literal`: `enum` when closed, `examples` when open), range, required — the same record
  `parse_settings` validates with before a run;
- ports: the spec's ports for empty settings (`NodeSpec.default_ports`), and whether they
  depend on the settings;
- output schema: a JSON schema of NodeOutput as the wire carries it, derived from the output
  ports (text, image, persona, named values) plus the spec's `output_fields`;
- calls_provider, default model, cache policy (cached by default, opt-in, conditional, never),
  retry policy, join policy, version, and the type's origin (built in, or which plugin).

`describe` raises for a spec whose settings record has no JSON schema: plugins are checked with it
before they are registered (execution.nodes.plugins), so listing the catalogue never fails.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic.json_schema import PydanticJsonSchemaWarning

from execution.model_resolution import ModelChoice
from execution.nodes.ports import JoinPolicy, NodePorts, PortKind, PortSet
from execution.nodes.registry import BUILTIN, NodeRegistry
from execution.nodes.spec import NodeFamily, NodeSpec, RetryPolicy

# How deep `$ref`s are inlined into a field's schema (a recursive record stops there).
_MAX_REF_DEPTH = 8


class CacheDefault(enum.Enum):
    """Whether a node type's outputs are reused (execution.cache) when its node does not say."""

    # No cache policy: never cached (it costs less to run than to look up).
    NEVER = "never"
    # Cached unless the node or the request says otherwise.
    CACHED = "cached"
    # Cacheable, but only when the node asks (`cache: true`): the storyteller.
    OPT_IN = "opt_in"
    # Decided per node (the image generator: only with a fixed seed its vendor takes).
    CONDITIONAL = "conditional"


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One setting of a node type."""

    # As the node's `data` spells it (the editor's camelCase; seed-004 elements' snake_case).
    name: str
    label: str
    description: str
    # JSON Schema type: string, number, integer, boolean, object, array; "" = any, or several.
    type: str
    # null is accepted (it means "not set").
    nullable: bool
    has_default: bool
    default: Any
    # The values offered; `options_open`: other values are accepted too.
    options: tuple[str, ...]
    options_open: bool
    required: bool
    minimum: float | None
    maximum: float | None
    # The setting's whole JSON schema ($refs inlined).
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PortInfo:
    name: str
    kind: PortKind
    branch: bool
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class NodeTypeInfo:
    node_type: str
    family: NodeFamily
    display_name: str
    description: str
    version: int
    fields: tuple[FieldInfo, ...]
    settings_schema: Mapping[str, Any]
    inputs: tuple[PortInfo, ...]
    inputs_open: bool
    outputs: tuple[PortInfo, ...]
    outputs_open: bool
    # The ports above are those of a node with empty settings; its settings change them.
    ports_from_settings: bool
    output_schema: Mapping[str, Any]
    calls_provider: bool
    default_model: ModelChoice | None
    cache: CacheDefault
    # How long a cached output stays valid; None = the server's setting.
    cache_ttl_seconds: float | None
    retry_policy: RetryPolicy | None
    # The join of a node with empty settings; `join_from_settings`: its settings choose it (merge).
    join: JoinPolicy
    join_from_settings: bool
    # Its named values are the run's results (`end`).
    results: bool
    origin: str


def catalogue(registry: NodeRegistry, family: NodeFamily | None = None) -> tuple[NodeTypeInfo, ...]:
    """Every node type of `registry` (of `family`, when given), in registration order."""
    return tuple(describe(spec, registry.origin(spec.node_type)) for spec in registry
                 if family is None or spec.family is family)


def describe(spec: NodeSpec[Any], origin: str = BUILTIN) -> NodeTypeInfo:
    """What `spec` declares, as the catalogue lists it."""
    schema = settings_schema(spec)
    ports = spec.default_ports()
    unset = spec.default_settings()
    policy = spec.cache_policy
    if policy is None:
        cache = CacheDefault.NEVER
    elif isinstance(policy.default, bool):
        cache = CacheDefault.CACHED if policy.default else CacheDefault.OPT_IN
    else:
        cache = CacheDefault.CONDITIONAL
    fixed_join = isinstance(spec.join, JoinPolicy)
    join = spec.join if isinstance(spec.join, JoinPolicy) else (
        spec.join(unset) if unset is not None else JoinPolicy.SETTLED)
    inputs, outputs = (ports.inputs, ports.outputs) if ports is not None else (PortSet(open=True), PortSet(open=True))
    return NodeTypeInfo(
        node_type=spec.node_type,
        family=spec.family,
        display_name=spec.display_name,
        description=spec.description,
        version=spec.version,
        fields=_fields(spec, schema),
        settings_schema=schema,
        inputs=_ports(inputs),
        inputs_open=inputs.open,
        outputs=_ports(outputs),
        outputs_open=outputs.open,
        ports_from_settings=spec.ports is not None,
        output_schema=output_schema(spec, ports),
        calls_provider=spec.calls_provider,
        default_model=spec.default_model,
        cache=cache,
        cache_ttl_seconds=policy.ttl_seconds if policy is not None else None,
        retry_policy=spec.retry_policy,
        join=join,
        join_from_settings=not fixed_join,
        results=spec.results,
        origin=origin,
    )


def settings_schema(spec: NodeSpec[Any]) -> dict[str, Any]:
    """The JSON schema of the type's settings record, keyed as the node's `data` spells them.
    Defaults that are not JSON (a sentinel) are left out, silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        return spec.settings.model_json_schema(by_alias=True)


def _fields(spec: NodeSpec[Any], schema: Mapping[str, Any]) -> tuple[FieldInfo, ...]:
    defs = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    out: list[FieldInfo] = []
    for name, raw in schema.get("properties", {}).items():
        field_schema = _inline(raw, defs, 0)
        json_type, nullable = _json_type(field_schema)
        options, open_options = _options(field_schema)
        low, high = _bound(field_schema, "minimum"), _bound(field_schema, "maximum")
        out.append(FieldInfo(
            name=name, label=str(field_schema.get("title", name)), description=str(field_schema.get("description", "")),
            type=json_type, nullable=nullable, has_default="default" in field_schema,
            default=field_schema.get("default"), options=options, options_open=open_options,
            required=name in required, minimum=low, maximum=high, schema=field_schema))
    return tuple(out)


def _inline(schema: Any, defs: Mapping[str, Any], depth: int) -> Any:
    """`schema` with `{"$ref": "#/$defs/X"}` replaced by X (to a bounded depth)."""
    if isinstance(schema, list):
        return [_inline(item, defs, depth) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < _MAX_REF_DEPTH:
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _inline(merged, defs, depth + 1)
    return {key: _inline(value, defs, depth) for key, value in schema.items()}


def _branches(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [b for b in (*schema.get("anyOf", ()), *schema.get("oneOf", ())) if isinstance(b, Mapping)]


def _json_type(schema: Mapping[str, Any]) -> tuple[str, bool]:
    """(the type, null accepted); "" when any type or several are."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return ("", True) if declared == "null" else (declared, False)
    if isinstance(declared, list):
        types = [t for t in declared if t != "null"]
        return (types[0] if len(types) == 1 else ""), "null" in declared
    if "enum" in schema:
        return _enum_type(schema), None in schema["enum"]
    branches = _branches(schema)
    kinds = [_json_type(b) for b in branches]
    non_null = {t for b, (t, _) in zip(branches, kinds, strict=True) if b.get("type") != "null"}
    return (non_null.pop() if len(non_null) == 1 else ""), any(nullable for _, nullable in kinds)


def _enum_type(schema: Mapping[str, Any]) -> str:
    values = [v for v in schema.get("enum", ()) if v is not None]
    if values and all(isinstance(v, str) for v in values):
        return "string"
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    return ""


def _options(schema: Mapping[str, Any]) -> tuple[tuple[str, ...], bool]:
    """The values offered (closed `enum` or open `examples`), here or in a branch; "" (unset) left out."""
    for candidate in (schema, *_branches(schema)):
        for key, is_open in (("enum", False), ("examples", True)):
            values = candidate.get(key)
            if isinstance(values, list) and values:
                return tuple(str(v) for v in values if v not in ("", None)), is_open
    return (), False


def _bound(schema: Mapping[str, Any], key: str) -> float | None:
    for candidate in (schema, *_branches(schema)):
        value = candidate.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _ports(ports: PortSet) -> tuple[PortInfo, ...]:
    return tuple(PortInfo(p.handle, p.kind, p.branch, p.required, p.description) for p in ports.ports)


_IMAGE = {"type": "object", "description": "image bytes and their mime type",
          "properties": {"data": {"type": "string", "contentEncoding": "base64"}, "mimeType": {"type": "string"}}}


def output_schema(spec: NodeSpec[Any], ports: NodePorts | None) -> dict[str, Any]:
    """A JSON schema of the NodeOutput a node of this type produces (as the wire's JSON names
    it): what its output ports carry, plus the spec's `output_fields`."""
    outputs = ports.outputs if ports is not None else PortSet(open=True)
    properties: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for port in outputs.ports:
        if port.kind is PortKind.TEXT:
            properties["text"] = {"type": "string"}
        elif port.kind is PortKind.IMAGE:
            properties["image"] = _IMAGE
        elif port.kind is PortKind.PERSONA:
            properties["personaName"] = {"type": "string"}
            properties["personaDescription"] = {"type": "string"}
        else:
            route = "a route: present only when the node takes it" if port.branch else ""
            description = "; ".join(d for d in (port.description, route) if d)
            values[port.handle] = {"description": description} if description else {}
    if values or outputs.open:
        properties["text"] = {"type": "string", "description": "the main value as text"}
        properties["values"] = {"type": "object", "properties": values, "additionalProperties": outputs.open}
    properties.update({name: dict(schema) for name, schema in spec.output_fields.items()})
    return {"type": "object", "properties": properties}
