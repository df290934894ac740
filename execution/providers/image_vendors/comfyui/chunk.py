"""Output chunks (seed 002): a ComfyUI API-format workflow with the knobs to fill in.

An output chunk is data, not code:

    {"name": "output_image_sd35_large", "backend_type": "comfyui", "media_type": "image",
     "workflow": {"10": {"class_type": "PrimitiveString", "inputs": {"value": ""}}, …},
     "input_mappings": {"prompt": {"node_id": "10", "field": "inputs.value",
                                   "source": "{{PREVIOUS_OUTPUT}}"},
                        "width": {"node_id": "3", "field": "inputs.width", "default": 1024}, …},
     "output_mapping": {"node_id": "4", "output_type": "image"}}

`parse` reads one (InvalidNodeInput naming the field that is wrong), `check` verifies each
mapping against the workflow (InvalidNodeInput naming a mapping whose node or input is not
there: ComfyUI would otherwise run the workflow with the value silently not applied), and
`fill` makes the workflow to submit from the values given.

Values are keyed by mapping name (`prompt`, `width`) or by placeholder name (`PREVIOUS_OUTPUT`).
A mapping takes, in order: the value named after it; else its `source` — one placeholder
(the value as is) or a text with placeholders (each replaced by its value as text); else its
`default`; else the workflow keeps its own value. A value that names neither a mapping nor a
placeholder of the chunk is refused (a typo must not go unnoticed), and so is a `source` whose
placeholder has no value and no default.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from execution.errors import InvalidNodeInput

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# What ComfyUI calls a node's result files in its history, by output_type.
OUTPUT_KEYS = {"image": ("images",), "audio": ("audio",), "video": ("gifs", "videos", "images")}
_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class InputMapping:
    name: str
    node_id: str
    input_name: str
    # The text the value comes from when none is named after the mapping ("{{PREVIOUS_OUTPUT}}").
    source: str = ""
    default: Any = _UNSET

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(PLACEHOLDER.findall(self.source))


@dataclass(frozen=True, slots=True)
class OutputMapping:
    """Which node's files are the result (None on the chunk: every node's)."""

    node_id: str
    output_type: str = "image"


@dataclass(frozen=True, slots=True)
class OutputChunk:
    name: str
    # node id → {"class_type", "inputs", …}, ComfyUI's API format; never mutated.
    workflow: Mapping[str, Mapping[str, Any]]
    inputs: tuple[InputMapping, ...] = ()
    output: OutputMapping | None = None

    @classmethod
    def parse(cls, data: Any, *, what: str = "chunk") -> OutputChunk:
        """An output chunk from its JSON form (a mapping, or its text); InvalidNodeInput names the field."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise InvalidNodeInput(f"{what} is not JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise InvalidNodeInput(f"{what} must be an object with a 'workflow'")
        backend = data.get("backend_type", "comfyui")
        if backend != "comfyui":
            raise InvalidNodeInput(f"{what}.backend_type is '{backend}'; only 'comfyui' chunks run on ComfyUI")
        workflow = _workflow(data.get("workflow"), f"{what}.workflow")
        mappings = data.get("input_mappings") or {}
        if not isinstance(mappings, Mapping):
            raise InvalidNodeInput(f"{what}.input_mappings must be an object (name → node_id and field)")
        inputs = tuple(_input_mapping(str(name), spec, f"{what}.input_mappings.{name}")
                       for name, spec in mappings.items())
        output = data.get("output_mapping")
        chunk = cls(str(data.get("name") or "unnamed"), workflow, inputs,
                    _output_mapping(output, f"{what}.output_mapping") if output else None)
        chunk.check()
        return chunk

    def check(self) -> None:
        """Every mapping points at a node of the workflow and at an input that node has."""
        for mapping in self.inputs:
            node = self.workflow.get(mapping.node_id)
            if node is None:
                raise InvalidNodeInput(f"input mapping '{mapping.name}' of chunk '{self.name}' points at node "
                                       f"'{mapping.node_id}', which the workflow does not have")
            inputs = node.get("inputs") or {}
            if mapping.input_name not in inputs:
                known = ", ".join(sorted(inputs)) or "none"
                raise InvalidNodeInput(
                    f"input mapping '{mapping.name}' of chunk '{self.name}' points at input '{mapping.input_name}' "
                    f"of node '{mapping.node_id}' ({node.get('class_type')}), which has no such input "
                    f"(it has: {known})")
        if self.output is not None and self.output.node_id not in self.workflow:
            raise InvalidNodeInput(f"output_mapping of chunk '{self.name}' points at node '{self.output.node_id}', "
                                   "which the workflow does not have")

    @property
    def placeholders(self) -> set[str]:
        return {name for mapping in self.inputs for name in mapping.placeholders}

    def fill(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The workflow to submit: a copy with each mapping's value in place (see the module doc)."""
        names = {mapping.name for mapping in self.inputs}
        unknown = sorted(set(values) - names - self.placeholders)
        if unknown:
            choices = ", ".join(sorted(names | self.placeholders)) or "none"
            raise InvalidNodeInput(f"value '{unknown[0]}' matches no input mapping or placeholder of chunk "
                                   f"'{self.name}' (it has: {choices})")
        workflow = copy.deepcopy(dict(self.workflow))
        for mapping in self.inputs:
            value = self._value(mapping, values)
            if value is not _UNSET:
                workflow[mapping.node_id]["inputs"][mapping.input_name] = _plain(value)
        return _plain(workflow)

    def _value(self, mapping: InputMapping, values: Mapping[str, Any]) -> Any:
        if mapping.name in values:
            return values[mapping.name]
        if mapping.source:
            missing = [name for name in mapping.placeholders if name not in values]
            if not missing:
                whole = PLACEHOLDER.fullmatch(mapping.source.strip())
                if whole:
                    return values[whole.group(1)]
                return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), mapping.source)
            if mapping.default is _UNSET:
                raise InvalidNodeInput(f"input mapping '{mapping.name}' of chunk '{self.name}' takes "
                                       f"{{{{{missing[0]}}}}}, which was not given")
        return mapping.default


def _workflow(value: Any, what: str) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidNodeInput(f"{what} must be a ComfyUI API-format workflow (node id → node)")
    workflow: dict[str, Mapping[str, Any]] = {}
    for node_id, node in value.items():
        if not isinstance(node, Mapping) or not isinstance(node.get("class_type"), str):
            raise InvalidNodeInput(f"{what}.{node_id} must be a node with a 'class_type'")
        if not isinstance(node.get("inputs", {}), Mapping):
            raise InvalidNodeInput(f"{what}.{node_id}.inputs must be an object")
        workflow[str(node_id)] = node
    return workflow


def _node_id(value: Any, what: str) -> str:
    if isinstance(value, float) and value.is_integer():  # a Struct number
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise InvalidNodeInput(f"{what}.node_id must name a node of the workflow")
    return str(value)


def _input_mapping(name: str, spec: Any, what: str) -> InputMapping:
    if not isinstance(spec, Mapping):
        raise InvalidNodeInput(f"{what} must be an object with node_id and field")
    field = spec.get("field", spec.get("input_name", spec.get("input")))
    if not isinstance(field, str) or not field.strip():
        raise InvalidNodeInput(f"{what}.field must name an input of the node (\"inputs.<name>\")")
    source = spec.get("source", "")
    if not isinstance(source, str):
        raise InvalidNodeInput(f"{what}.source must be text (e.g. \"{{{{PREVIOUS_OUTPUT}}}}\")")
    return InputMapping(name, _node_id(spec.get("node_id"), what), field.strip().removeprefix("inputs."),
                        source, spec.get("default", _UNSET))


def _output_mapping(spec: Any, what: str) -> OutputMapping:
    if not isinstance(spec, Mapping):
        raise InvalidNodeInput(f"{what} must be an object with node_id")
    kind = str(spec.get("output_type") or "image")
    if kind not in OUTPUT_KEYS:
        raise InvalidNodeInput(f"{what}.output_type '{kind}' is not one of {', '.join(OUTPUT_KEYS)}")
    return OutputMapping(_node_id(spec.get("node_id"), what), kind)


def _plain(value: Any) -> Any:
    """JSON for ComfyUI: whole floats as ints (protobuf Struct makes every number a float, and
    ComfyUI's INT inputs and node links want integers)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
