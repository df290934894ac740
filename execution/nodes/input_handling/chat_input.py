"""chat_input: the user's chat message, from the run's inputs.

Settings:
    input_key  the run input holding the message (default "message")
    message    the message when the run has no such input (a fixed prompt); empty: the node
               fails (INVALID_INPUT, naming the run input)

Output: `message` (text; a run input that is not a string is read as its JSON).
"""

from __future__ import annotations

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.outputs import NodeOutput
from execution.quoting import quote
from execution.values import as_text

OUTPUT = "message"
_PORTS = NodePorts(PortSet(), PortSet((value_port(OUTPUT, description="the user's message (text)"),)))


class ChatInputSettings(ElementSettings):
    input_key: str = "message"
    """The run input holding the user's message (default "message")."""
    message: str = ""
    """The message when the run has no such input (a fixed prompt); empty: the node fails, naming the run input."""


async def chat_input(ctx: NodeContext[ChatInputSettings]) -> NodeOutput:
    settings = ctx.settings
    message = as_text(ctx.run_inputs.get(settings.input_key)) or settings.message
    if not message:
        raise InvalidNodeInput(f"no chat message: the run input {quote(settings.input_key)} is missing or empty "
                               "and no 'message' is set")
    return value_output({OUTPUT: message})


CHAT_INPUT = NodeSpec(
    "chat_input", NodeFamily.INPUT, chat_input, ChatInputSettings,
    display_name="Chat Input",
    description="The user's chat message, read from the run's inputs.",
    ports=lambda _settings: _PORTS,
)
