"""The items of an image_generation batch: where the prompts come from, and what became of each.

Prompts, first found wins:
1. the input `prompts` — a list (each item a prompt, or an object with `prompt` and an optional
   `id` the item's result repeats: seed 003's section ids), or a text (one prompt per line);
2. the text of the node's text inputs, one prompt per line;
3. the setting `prompts` (a list or a text, as the input);
4. the setting `prompt` (one item).
Blank lines of a text are skipped; a list item that is not a prompt is kept as an item that
failed (so item numbers keep matching the list), and so is one whose prompt the vendor would
refuse (empty, too long).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.inputs import merge_input_text

PROMPTS = "prompts"
MAX_ITEMS = 32


@dataclass(frozen=True, slots=True)
class BatchItem:
    index: int
    prompt: str
    # The item's own `id`, when it came as an object that has one.
    item_id: Any = None
    # Why the item cannot be generated at all ("" when it can).
    problem: str = ""


def _lines(text: str) -> list[BatchItem]:
    return [BatchItem(i, line) for i, line in enumerate(ln.strip() for ln in text.splitlines() if ln.strip())]


def _item(index: int, value: Any) -> BatchItem:
    if isinstance(value, str):
        return BatchItem(index, value.strip())
    if isinstance(value, dict) and isinstance(value.get("prompt"), str):
        return BatchItem(index, value["prompt"].strip(), value.get("id"))
    return BatchItem(index, "", value.get("id") if isinstance(value, dict) else None,
                     "not a prompt: a text, or an object with a text 'prompt'")


def _from(value: Any, what: str) -> list[BatchItem]:
    if isinstance(value, list):
        return [_item(i, v) for i, v in enumerate(value)]
    if isinstance(value, str):
        return _lines(value)
    raise InvalidNodeInput(f"{what} must be a list of prompts or a text (one prompt per line)")


def batch_items(ctx: NodeContext[Any]) -> list[BatchItem]:
    """The batch's items (see the module docstring); InvalidNodeInput when there are none or
    more than MAX_ITEMS."""
    given = ctx.values.get(PROMPTS)
    settings = ctx.settings
    if given is not None:
        items = _from(given, f"input {PROMPTS!r}")
    elif text := merge_input_text(ctx.inputs):
        items = _lines(text)
    elif settings.prompts:
        items = _from(settings.prompts, f"setting {PROMPTS!r}")
    else:
        items = [BatchItem(0, settings.prompt)] if settings.prompt else []
    if not items:
        raise InvalidNodeInput("No prompts: connect a list of prompts to input 'prompts' or a text node (one "
                               "prompt per line), or set 'prompts'")
    if len(items) > MAX_ITEMS:
        raise InvalidNodeInput(f"{len(items)} prompts: one image_generation node makes at most {MAX_ITEMS} images")
    return items


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What became of one item: an image (its position among the node's images) or an error."""

    item: BatchItem
    seed: int | None = None
    image: int | None = None
    error: str = ""
    # The error's StatusReason value, and whether trying again may help.
    reason: str = ""
    retryable: bool = False

    def as_value(self) -> dict[str, Any]:
        """The item's entry in the node's `items` output."""
        value: dict[str, Any] = {"index": self.item.index, "prompt": self.item.prompt, "ok": self.image is not None}
        if self.item.item_id is not None:
            value["id"] = self.item.item_id
        if self.image is not None:
            value["image"] = self.image
        if self.seed is not None:
            value["seed"] = self.seed
        if self.error:
            value["error"] = self.error
            value["reason"] = self.reason
        return value
