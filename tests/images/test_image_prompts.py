"""The describe / replace prompts: every variant renders, picks the right wording, inserts user
text verbatim, and asks for exactly one plain answer; imageGenerator's settings and prompt are
read and checked into the request sent as is."""

from __future__ import annotations

import pytest

from execution.errors import InvalidNodeInput, InvalidSettings
from execution.events import StatusReason
from execution.nodes import image as image_nodes
from execution.personas import Persona
from execution.prompts.describe import CLAUDE_SYSTEM, DescribeMode, describe_prompt
from execution.prompts.replace import text_swap_prompt, vision_replace_prompt
from execution.prompts.vision import Dialect
from execution.providers.image_vendors.generation import GenerationRequest

MARA = Persona("Mara", "A woman in her thirties with short silver hair.")
JON = Persona("Jon", "A tall man with a red beard.")


@pytest.mark.parametrize("mode", list(DescribeMode))
@pytest.mark.parametrize("dialect", list(Dialect))
def test_every_describe_variant_renders(mode: DescribeMode, dialect: Dialect) -> None:
    prompt = describe_prompt(mode, dialect)
    text = prompt.prompt.text
    assert prompt.purpose == "describe" and "{" not in text and "notes" not in text.lower()
    assert prompt.system == (CLAUDE_SYSTEM if dialect is Dialect.CLAUDE else "")
    assert len(prompt.image_labels) == (2 if mode is DescribeMode.REFERENCE_AND_PERSONA else 1)
    if dialect is Dialect.CLAUDE:
        assert text.startswith("<task>") and "ONLY" not in text  # structure, not shouting
    else:
        assert text.startswith("You are an expert prompt engineer") and "Output ONLY" in text
    if mode is DescribeMode.PERSONA:
        assert "clothing" in text.lower() and "1000 characters" in text  # excluded; a reusable persona
    else:
        assert "2500 characters" in text


def test_describe_variants_say_different_things() -> None:
    reference = describe_prompt(DescribeMode.REFERENCE, Dialect.STANDARD).prompt.text
    persona = describe_prompt(DescribeMode.PERSONA, Dialect.STANDARD).prompt.text
    both = describe_prompt(DescribeMode.REFERENCE_AND_PERSONA, Dialect.STANDARD).prompt.text
    assert "recreate it" in reference and "permanent physical" in persona and "Image 2 shows a CHARACTER" in both
    assert describe_prompt(DescribeMode.REFERENCE_AND_PERSONA, Dialect.STANDARD).image_labels == (
        "Image 1 — reference scene:", "Image 2 — character:")


@pytest.mark.parametrize("dialect", list(Dialect))
def test_describe_notes_are_inserted_verbatim(dialect: Dialect) -> None:
    notes = "Focus on the {lighting} and ignore the text"
    text = describe_prompt(DescribeMode.REFERENCE, dialect, f"  {notes} ").prompt.text
    assert notes in text
    if dialect is Dialect.CLAUDE:
        assert f"<user_notes>\nAlso follow these instructions from the user:\n{notes}\n</user_notes>" in text


def test_text_swap_single_and_multi() -> None:
    single = text_swap_prompt("A man reads in a cafe, {not a placeholder}.", [MARA])
    assert single.purpose == "replace"
    assert "## CHARACTER:\n### Mara\nA woman in her thirties" in single.text
    assert "## IMAGE DESCRIPTION:\nA man reads in a cafe, {not a placeholder}." in single.text
    assert "most prominent one" in single.text and "never clothing" in single.text
    multi = text_swap_prompt("Two people talk.", [MARA, JON])
    assert "## CHARACTERS:\n### Mara" in multi.text and multi.text.index("### Mara") < multi.text.index("### Jon")
    assert "Use each character at most once" in multi.text


def test_vision_replace_single_and_multi() -> None:
    single = vision_replace_prompt([MARA])
    assert single.image_labels == ("",) and "Look at the image above" in single.prompt.text
    assert "replace only the most prominent one" in single.prompt.text
    multi = vision_replace_prompt([MARA, JON])
    assert "left to right" in multi.prompt.text and "### Jon" in multi.prompt.text
    with pytest.raises(ValueError):
        vision_replace_prompt([])


def generation_request(prompt: str, data: dict[str, object]) -> GenerationRequest:
    """What imageGenerator sends for this prompt and these settings (`data` parsed as the engine does)."""
    return image_nodes.generation_request(prompt, image_nodes.IMAGE_GENERATOR.parse_settings(data))


def test_generation_settings_are_read_and_checked() -> None:
    request = generation_request("  a fox ", {"width": 1024.0, "height": "768", "steps": 4, "seed": -1,
                                             "negativePrompt": " blur ", "guidanceScale": 3.5})
    assert (request.prompt, request.width, request.height, request.steps) == ("a fox", 1024, 768, 4)
    assert request.seed is None and request.negative_prompt == "blur" and request.guidance_scale == 3.5
    assert generation_request("x", {"seed": 0.0, "negative_prompt": "y"}).seed == 0
    assert generation_request("x", {"width": "", "height": None}).width is None


@pytest.mark.parametrize(("data", "message"), [
    ({"width": 10}, "'width' must be a whole number from 64 to 4096"),
    ({"height": 5000}, "'height' must be a whole number from 64 to 4096"),
    ({"steps": 2.5}, "'steps' must be a whole number"),
    ({"seed": True}, "'seed' must be a number"),
    ({"seed": 2**33}, "'seed' must be a whole number from -1"),
    ({"guidanceScale": 99}, "'guidanceScale' must be from 0 to 50"),
    ({"negativePrompt": 3}, "'negativePrompt' must be text"),
    ({"width": [1]}, "'width' must be a number"),
])
def test_bad_generation_settings(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSettings, match=message) as info:
        generation_request("x", data)
    assert info.value.field == next(iter(data))  # the setting, as the editor spells it
    assert info.value.reason is StatusReason.INVALID_INPUT


def test_negative_prompt_alias_is_named_as_the_editor_spells_it() -> None:
    assert generation_request("x", {"negative_prompt": " y "}).negative_prompt == "y"
    assert generation_request("x", {"negativePrompt": "a", "negative_prompt": "b"}).negative_prompt == "a"
    with pytest.raises(InvalidSettings, match="^'negativePrompt' must be text$") as info:
        generation_request("x", {"negative_prompt": 3})
    assert info.value.field == "negativePrompt"


def test_the_first_bad_setting_is_named_in_the_order_they_were_always_checked() -> None:
    with pytest.raises(InvalidSettings, match="^'seed' must be a number$"):
        generation_request("x", {"width": 10, "guidanceScale": 99, "seed": True})
    with pytest.raises(InvalidSettings, match="^'width' must be a whole number from 64 to 4096, not 10$"):
        generation_request("x", {"steps": 0, "width": 10})


def test_generation_needs_a_prompt() -> None:
    with pytest.raises(InvalidNodeInput, match="No prompt"):
        generation_request("   ", {})
    with pytest.raises(InvalidNodeInput, match="the limit is 20,000"):
        generation_request("x" * 20_001, {})
