"""start and end: where a seed-004 flow takes its run inputs and where it leaves its results.

- `start` outputs the run's inputs (ExecuteFlowRequest.initial_inputs) as its named values. With
  a schema (`output_schema`, else `input_schema`) it outputs exactly the declared names, checks
  that the required ones are there and that each has its declared type, and only those names
  are its ports; without one, every run input is a value and any name is a port.
- `end` takes its named inputs as its output values; they are the run's results
  (RunCompleted.results, by input name). With an `input_schema`, its names are the ports (the
  required ones must be delivered) and their types are checked; without one, any name.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from execution.context import NodeContext
from execution.nodes.ports import NodePorts, PortSet
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.nodes.value_schema import ValueSchema, check_values, schema_ports
from execution.outputs import NodeOutput


class StartSettings(ElementSettings):
    input_schema: ValueSchema = Field(default_factory=dict)
    """The run inputs the flow takes: {name: {type, required, description}}; with a schema the node outputs exactly
    these names (required ones checked, types checked), without one every run input."""
    output_schema: ValueSchema = Field(default_factory=dict)
    """The names the node outputs, as input_schema (seed 004 writes either); wins over input_schema."""

    @property
    def declared(self) -> ValueSchema:
        return self.output_schema or self.input_schema


def start_ports(settings: StartSettings) -> NodePorts:
    # Required run inputs are checked by the executor (they come from the request, not an edge).
    return NodePorts(PortSet(), schema_ports(settings.declared, required=False))


async def start(ctx: NodeContext[StartSettings]) -> NodeOutput:
    declared = ctx.settings.declared
    if not declared:
        return value_output(dict(ctx.run_inputs))
    check_values(ctx.run_inputs, declared, "run input")
    return value_output({name: ctx.run_inputs[name] for name in declared if name in ctx.run_inputs})


class EndSettings(ElementSettings):
    input_schema: ValueSchema = Field(default_factory=dict)
    """The flow's results: {name: {type, required, description}}; these names are the node's inputs (required ones must
    be delivered, types checked) and the run's results. Empty: any name."""
    output_schema: ValueSchema = Field(default_factory=dict)
    """Accepted as seed 004 writes it; the results are named by input_schema."""


def end_ports(settings: EndSettings) -> NodePorts:
    inputs = schema_ports(settings.input_schema)
    return NodePorts(inputs, PortSet(inputs.ports, open=inputs.open))


async def end(ctx: NodeContext[EndSettings]) -> NodeOutput:
    schema = ctx.settings.input_schema
    if not schema:
        return value_output(dict(ctx.values))
    values = {n: ctx.values[n] for n in schema if n in ctx.values}
    check_values(values, schema, "input")
    return value_output(values)


START = NodeSpec(
    "start", NodeFamily.FLOW_CONTROL, start, StartSettings,
    display_name="Start",
    description="Where a flow begins: outputs the run's inputs (initial_inputs) as named values.",
    ports=start_ports,
)
END = NodeSpec(
    "end", NodeFamily.FLOW_CONTROL, end, EndSettings,
    display_name="End",
    description="Where a flow ends: its named inputs become the run's results.",
    ports=end_ports,
    results=True,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (START, END)
