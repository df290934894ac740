"""Output chunks (seed 002) on their own: parsing, the mappings checked against the workflow,
and the workflow filled from the values given."""

from __future__ import annotations

import json

import pytest

from execution.errors import InvalidNodeInput
from execution.providers.image_vendors.comfyui.chunk import OutputChunk
from execution.providers.image_vendors.comfyui.profile import DEFAULT_CHUNK
from tests.comfyui.chunks import SD35_CHUNK, sd35_chunk


def test_values_land_in_the_mapped_inputs_and_defaults_fill_the_rest() -> None:
    chunk = OutputChunk.parse(SD35_CHUNK)
    workflow = chunk.fill({"PREVIOUS_OUTPUT": "a lighthouse at dawn", "width": 768.0, "seed": 7.0})
    assert workflow["10"]["inputs"]["value"] == "a lighthouse at dawn"
    assert workflow["11"]["inputs"]["value"] == "blurry, watermark"  # default
    assert workflow["3"]["inputs"] == {"width": 768, "height": 1024, "batch_size": 1}
    assert type(workflow["8"]["inputs"]["seed"]) is int  # Struct floats go out as integers
    assert workflow["1"]["inputs"]["text"] == ["10", 0]
    assert SD35_CHUNK["workflow"]["10"]["inputs"]["value"] == ""  # the chunk itself is untouched


def test_a_value_named_after_the_mapping_wins_over_its_source() -> None:
    chunk = OutputChunk.parse(SD35_CHUNK)
    assert chunk.fill({"PREVIOUS_OUTPUT": "x", "prompt": "y"})["10"]["inputs"]["value"] == "y"


def test_a_source_text_with_placeholders_is_filled_in() -> None:
    data = sd35_chunk()
    data["input_mappings"]["prompt"]["source"] = "{{STYLE}} photo of {{INPUT_TEXT}}"
    workflow = OutputChunk.parse(data).fill({"STYLE": "Dada", "INPUT_TEXT": "a cat"})
    assert workflow["10"]["inputs"]["value"] == "Dada photo of a cat"


@pytest.mark.parametrize(("change", "message"), [
    (("prompt", "node_id", "99"), "input mapping 'prompt' of chunk 'output_image_sd35' points at node '99', "
                                  "which the workflow does not have"),
    (("width", "field", "inputs.widht"), "input mapping 'width' of chunk 'output_image_sd35' points at input "
                                         "'widht' of node '3' (EmptyLatentImage), which has no such input "
                                         "(it has: batch_size, height, width)"),
])
def test_a_mapping_to_a_missing_node_or_input_is_named(change: tuple[str, str, str], message: str) -> None:
    data = sd35_chunk()
    name, key, value = change
    data["input_mappings"][name][key] = value
    with pytest.raises(InvalidNodeInput) as caught:
        OutputChunk.parse(data)
    assert caught.value.message == message


def test_an_output_mapping_to_a_missing_node_is_named() -> None:
    with pytest.raises(InvalidNodeInput, match="output_mapping of chunk 'output_image_sd35' points at node '40'"):
        OutputChunk.parse(sd35_chunk(output_mapping={"node_id": "40"}))


def test_unknown_values_and_missing_placeholders_are_named() -> None:
    chunk = OutputChunk.parse(SD35_CHUNK)
    with pytest.raises(InvalidNodeInput, match="value 'widht' matches no input mapping or placeholder"):
        chunk.fill({"PREVIOUS_OUTPUT": "x", "widht": 5})
    with pytest.raises(InvalidNodeInput, match=r"input mapping 'prompt' .* takes \{\{PREVIOUS_OUTPUT\}\}, "
                                               "which was not given"):
        chunk.fill({})


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", "chunk is not JSON"),
    ({"workflow": {}}, "chunk.workflow must be a ComfyUI API-format workflow"),
    ({"workflow": {"1": {"inputs": {}}}}, "chunk.workflow.1 must be a node with a 'class_type'"),
    ({"backend_type": "ollama", "workflow": {"1": {"class_type": "X"}}}, "only 'comfyui' chunks"),
    (sd35_chunk(input_mappings={"p": {"node_id": "10"}}), "chunk.input_mappings.p.field must name an input"),
])
def test_malformed_chunks_name_the_field(data: object, message: str) -> None:
    with pytest.raises(InvalidNodeInput, match=message):
        OutputChunk.parse(data)


def test_a_chunk_may_come_as_json_text() -> None:
    assert OutputChunk.parse(json.dumps(SD35_CHUNK)).name == "output_image_sd35"


def test_the_default_workflow_maps_every_generation_setting() -> None:
    workflow = DEFAULT_CHUNK.fill({"prompt": "fox", "width": 640, "height": 480, "steps": 4, "seed": 9, "cfg": 3.5,
                                   "negative_prompt": "blur", "checkpoint": "x.safetensors"})
    assert workflow["6"]["inputs"]["text"] == "fox" and workflow["7"]["inputs"]["text"] == "blur"
    assert workflow["5"]["inputs"] == {"width": 640, "height": 480, "batch_size": 1}
    assert (workflow["3"]["inputs"]["steps"], workflow["3"]["inputs"]["seed"], workflow["3"]["inputs"]["cfg"]) == (4, 9, 3.5)
    assert workflow["4"]["inputs"]["ckpt_name"] == "x.safetensors"
