"""custom_script (seed 003): the node's inputs and parameters POSTed as JSON to a configured
endpoint; the JSON reply is the node's named outputs.

Settings (seed 003's `script_config`, spelled as elements spell them):

    endpoint        an http(s) URL under one of the server's allow-listed base URLs, or a path
                    (`/process`, the seed's `custom_endpoint`) appended to the first of them
    parameters      a JSON object sent as is (the seed's `parameters`)
    timeout         seconds for the call (at most the server's FLOWEXEC_CUSTOM_SCRIPT_TIMEOUT)
    input_schema    the named inputs (required names and types checked); none: any name
    output_schema   the outputs the reply must hold (checked); none: whatever it holds

The request: `{"inputs": {name: value}, "parameters": {…}, "run_id", "node_id"}`. The reply: a
JSON object, each key a named output (its text: the only value, or the object as JSON); any
other JSON value is the output `result`. Off unless the server allow-lists base URLs
(FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS; else NOT_CONFIGURED). What is refused and why — hosts on
private, loopback, link-local addresses, redirects elsewhere, large replies — is in
execution.custom_script. Dry run: the endpoint is checked against the allow-list (no lookup) and
nothing is sent; the ProviderCall shows the body. Never cached: a script may act, not only answer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AliasChoices, Field

from execution.context import NodeContext
from execution.messages import ChatMessage
from execution.nodes.ports import NodePorts
from execution.nodes.setting_types import ElementSettings, NumberBetween, must
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.nodes.value_schema import ValueSchema, check_values, schema_ports
from execution.outputs import NodeOutput, ProviderCall
from execution.values import normalise

MAX_ENDPOINT_CHARS = 2048
MAX_TIMEOUT = 3600.0


def _is_endpoint(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_ENDPOINT_CHARS


class CustomScriptSettings(ElementSettings):
    # Required. Checked against the server's allow-list when the node runs.
    endpoint: Annotated[str, must(_is_endpoint, f"must be an http(s) URL or a path starting with '/', at most "
                                                f"{MAX_ENDPOINT_CHARS} characters")] = Field(
        default=None, validate_default=True, validation_alias=AliasChoices("endpoint", "custom_endpoint"))
    parameters: Annotated[dict[str, Any], must(lambda v: isinstance(v, dict), "must be an object")] = Field(
        default_factory=dict)
    timeout: Annotated[float | None, NumberBetween(0.001, MAX_TIMEOUT)] = None
    input_schema: ValueSchema = Field(default_factory=dict)
    output_schema: ValueSchema = Field(default_factory=dict)


def custom_script_ports(settings: CustomScriptSettings) -> NodePorts:
    return NodePorts(schema_ports(settings.input_schema), schema_ports(settings.output_schema, required=False))


async def custom_script(ctx: NodeContext[CustomScriptSettings]) -> NodeOutput:
    settings = ctx.settings
    inputs = dict(ctx.values)
    check_values(inputs, settings.input_schema, "input")
    client = ctx.services.custom_script
    endpoint = client.endpoint(settings.endpoint.strip())
    # Whole numbers as ints: the wire (protobuf) made 3 into 3.0, the script should see 3.
    body = normalise({"inputs": inputs, "parameters": settings.parameters, "run_id": ctx.run_id,
                      "node_id": ctx.node_id})
    if ctx.dry_run:
        sent = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
        call = ProviderCall("custom_script", endpoint.shown, "custom-script", (ChatMessage("user", sent),))
        return NodeOutput(dry_run=True, provider_calls=(call,))
    reply = await client.call(endpoint, body, timeout=settings.timeout)
    outputs = reply if isinstance(reply, dict) else {"result": reply}
    check_values(outputs, settings.output_schema, "the script's reply")
    return value_output(outputs)


CUSTOM_SCRIPT = NodeSpec(
    "custom_script", NodeFamily.CODE, custom_script, CustomScriptSettings,
    display_name="Custom Script",
    description="POSTs the node's inputs and parameters as JSON to an endpoint under the server's allow-listed "
                "base URLs; the JSON reply's keys are its outputs. Off unless the server allow-lists base URLs "
                "(FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS).",
    ports=custom_script_ports,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (CUSTOM_SCRIPT,)
