"""NaN and ±Infinity in a request: the violations that name each one by its field path.

google.protobuf.Struct carries numbers as doubles, so a node's settings can hold NaN or
Infinity (an editor's emptied number field) although no JSON value can. They are refused as
invalid input, like any other graph problem: `nodes[2].data.width: node 'gen' has a
non-finite number (NaN)`. Conversion (`server.convert`) raises NonFiniteNumber at the first
one; this module then walks the request again to name them all (a bad request is rare, the
good one pays nothing).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from google.protobuf import struct_pb2

from execution.errors import Violation
from execution.quoting import MAX_QUOTED_CHARS, quote, shorten
from flowexec.v1 import flow_service_pb2

# Violations named one by one; beyond, one more violation gives the count.
MAX_NAMED = 100
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class NonFiniteNumber(ValueError):
    """A number in the request is NaN or ±Infinity (raised by conversion, without a path)."""


def non_finite_violations(req: flow_service_pb2.ExecuteFlowRequest) -> list[Violation]:
    found = _find(req)
    violations = [v for _, v in zip(range(MAX_NAMED), found, strict=False)]
    more = sum(1 for _ in found)
    if more:
        violations.append(Violation("nodes", f"… and {more} more non-finite numbers"))
    return violations


def _find(req: flow_service_pb2.ExecuteFlowRequest) -> Iterator[Violation]:
    for i, node in enumerate(req.nodes):
        for path, number in _walk(node.data, f"nodes[{i}].data"):
            yield Violation(path, f"node {quote(node.id)} has a non-finite number ({_name(number)})")
    for path, number in _walk(req.initial_inputs, "initial_inputs"):
        yield Violation(path, f"run input has a non-finite number ({_name(number)})")
    for node_id, output in req.cached_outputs.items():
        for name, value in output.values.items():
            for path, number in _walk_value(value, f"cached_outputs[{_key(node_id)}].values[{_key(name)}]"):
                yield Violation(path, f"cached output of node {quote(node_id)} has a non-finite number ({_name(number)})")
        for j, call in enumerate(output.provider_calls):
            if not math.isfinite(call.temperature):
                yield Violation(f"cached_outputs[{_key(node_id)}].provider_calls[{j}].temperature",
                                f"cached output of node {quote(node_id)} has a non-finite temperature "
                                f"({_name(call.temperature)})")


def _walk(struct: struct_pb2.Struct, path: str) -> Iterator[tuple[str, float]]:
    for key, value in struct.fields.items():
        plain = len(key) <= MAX_QUOTED_CHARS and _IDENTIFIER.match(key)
        yield from _walk_value(value, f"{path}.{key}" if plain else f"{path}[{_key(key)}]")


def _walk_value(value: struct_pb2.Value, path: str) -> Iterator[tuple[str, float]]:
    kind = value.WhichOneof("kind")
    if kind == "number_value" and not math.isfinite(value.number_value):
        yield path, value.number_value
    elif kind == "struct_value":
        yield from _walk(value.struct_value, path)
    elif kind == "list_value":
        for i, item in enumerate(value.list_value.values):
            yield from _walk_value(item, f"{path}[{i}]")


def _key(key: str) -> str:
    """A map key as it appears in a field path: double-quoted, escaped, shortened."""
    return f'"{shorten(key)}"'


def _name(number: float) -> str:
    return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
