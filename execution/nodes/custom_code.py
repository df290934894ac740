"""custom_code: user Python run in the sandbox (execution.sandbox), never in the server.

The code defines `def main(inputs: dict) -> dict`. Until named ports arrive, `inputs` is
`{"text": <the merged upstream text>, "texts": [<each upstream text, in edge order>]}` and the
node's output text is the returned object as JSON. Off unless the server sets
ALLOW_CUSTOM_CODE=true (then the node ends NOT_CONFIGURED saying so); a timeout, a limit or an
exception in the code ends this node alone, with the reason (execution.sandbox.errors).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field

from execution.context import NodeContext
from execution.nodes.inputs import input_text, merge_input_text
from execution.nodes.setting_types import NodeSettings, must
from execution.nodes.spec import TEXT_IN, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import NodeOutput

MAX_CODE_CHARS = 256 * 1024


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_CODE_CHARS


class CustomCodeSettings(NodeSettings):
    # Required: Python source defining main(inputs) (as written: indentation matters).
    code: Annotated[str, must(_is_code, f"must be Python source defining main(inputs), at most {MAX_CODE_CHARS:,} "
                                        "characters")] = Field(default=None, validate_default=True)


async def custom_code(ctx: NodeContext[CustomCodeSettings]) -> NodeOutput:
    inputs = {"text": merge_input_text(ctx.inputs), "texts": [input_text(o) for o in ctx.inputs]}
    result = await ctx.services.sandbox.run(ctx.settings.code, inputs)
    return NodeOutput(text=json.dumps(result.value, ensure_ascii=False), dry_run=ctx.dry_run)


CUSTOM_CODE = NodeSpec(
    "custom_code", NodeFamily.CODE, custom_code, CustomCodeSettings,
    display_name="Custom Code",
    description="Runs `main(inputs) -> dict` of your Python in a sandbox (no network, no secrets, "
                "memory/CPU/time limits); off unless the server allows custom code.",
    inputs=(TEXT_IN,),
    outputs=(TEXT_OUT,),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (CUSTOM_CODE,)
