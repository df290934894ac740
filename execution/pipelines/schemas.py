"""The JSON Schemas (Draft 2020-12) the library's files are checked against at start-up.

Strict where a typo would go unnoticed: unknown keys are refused in configs, pipelines and LLM
chunks (a `temprature` must not silently do nothing). ComfyUI output chunks are checked for
their shape here (a workflow object and mappings); the library then checks their mappings
against their workflow (execution.providers.image_vendors.comfyui.chunk). Free-form sections
the seed keeps for the editor (`meta`, `display`, `tags`, `audience`, `media_preferences`,
`category`) are accepted as they are.
"""

from __future__ import annotations

from typing import Any

from execution.pipelines.model import COMFYUI_BACKEND
from execution.prompts.instruction_types import INSTRUCTION_TYPES
from execution.providers.catalog import LLM_PROVIDERS
from execution.schema_check import SchemaCheck

PLACEHOLDER_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"

_LOCALIZED: dict[str, Any] = {
    "type": "object", "minProperties": 1,
    "propertyNames": {"pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
    "additionalProperties": {"type": "string", "minLength": 1},
}
_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": 131072},
    },
    "additionalProperties": False,
}
_FREE: dict[str, Any] = {}
_INSTRUCTION_TYPE: dict[str, Any] = {"enum": sorted(INSTRUCTION_TYPES)}
_TEXT: dict[str, Any] = {"type": "string"}

CONFIG = SchemaCheck({
    "type": "object",
    "required": ["pipeline", "name", "description", "context"],
    "properties": {
        "$schema": _TEXT,
        "pipeline": {"type": "string", "minLength": 1},
        "name": _LOCALIZED,
        "description": _LOCALIZED,
        "category": _FREE,
        "context": {"type": "string", "minLength": 1},
        "parameters": _PARAMETERS,
        "instruction_type": _INSTRUCTION_TYPE,
        "task_instruction": {"type": "string", "minLength": 1},
        "media_preferences": _FREE,
        "meta": _FREE,
        "display": _FREE,
        "tags": _FREE,
        "audience": _FREE,
    },
    "additionalProperties": False,
})

PIPELINE = SchemaCheck({
    "type": "object",
    "required": ["chunks"],
    "properties": {
        "$schema": _TEXT,
        "name": _TEXT,
        "description": _TEXT,
        "chunks": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "instruction_type": _INSTRUCTION_TYPE,
        "config_mappings": {
            "type": "object",
            "propertyNames": {"pattern": PLACEHOLDER_NAME},
            "additionalProperties": {"type": "string", "pattern": r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"},
        },
        # Informational in the seed (which configs use the pipeline); not read.
        "required_configs": {"type": "array", "items": _TEXT},
        "meta": _FREE,
    },
    "additionalProperties": False,
})

_LLM_BACKENDS = sorted(spec.provider_id for spec in LLM_PROVIDERS)
_COMMON_CHUNK: dict[str, Any] = {"$schema": _TEXT, "name": _TEXT, "description": _TEXT, "meta": _FREE}

CHUNK = SchemaCheck({
    "type": "object",
    "required": ["backend_type"],
    "properties": {"backend_type": {"enum": [*_LLM_BACKENDS, COMFYUI_BACKEND]}},
    "if": {"properties": {"backend_type": {"const": COMFYUI_BACKEND}}},
    "then": {
        "required": ["workflow", "output_mapping"],
        "properties": {
            "workflow": {"type": "object", "minProperties": 1,
                         "additionalProperties": {"type": "object", "required": ["class_type", "inputs"]}},
            "input_mappings": {"type": "object"},
            "output_mapping": {"type": "object", "required": ["node_id"]},
            "media_type": {"enum": ["image", "audio", "video"]},
        },
    },
    "else": {
        "required": ["template"],
        "properties": {
            **_COMMON_CHUNK,
            "backend_type": _FREE,
            "template": {"type": "string", "minLength": 1},
            "model": {"type": "string"},
            "parameters": _PARAMETERS,
        },
        "additionalProperties": False,
    },
})
