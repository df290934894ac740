"""NodeOutput.images (contract field 30) across the boundaries that copy outputs: the wire
(both ways, with and without bytes), the editor's JSON, and the node-output cache key."""

from __future__ import annotations

from execution.cache.key import output_digest
from execution.outputs import Image, NodeOutput
from flowexec.reactflow import output_from_json
from flowexec.v1 import graph_pb2
from server.convert import fill_output, output_from_proto
from tests.images import samples

RED = Image(samples.solid((8, 8)), "image/png")
BLUE = Image(samples.solid((8, 8), (0, 0, 255)), "image/png")
BATCH = NodeOutput(text="2 of 2 images made", image=RED, images=(RED, BLUE), values={"count": 2})


def test_images_cross_the_wire_in_order_and_without_bytes_when_asked() -> None:
    message = graph_pb2.NodeOutput()
    fill_output(message, BATCH)
    assert output_from_proto(message) == BATCH
    summary = graph_pb2.NodeOutput()
    fill_output(summary, BATCH, image_bytes=False)
    assert [(i.data, i.mime_type) for i in summary.images] == [(b"", "image/png")] * 2


def test_the_editors_json_carries_images_as_data_urls() -> None:
    message = output_from_json({"text": "t", "images": [samples.data_url(RED.data), samples.data_url(BLUE.data)]})
    assert [(i.data, i.mime_type) for i in message.images] == [(RED.data, "image/png"), (BLUE.data, "image/png")]


def test_a_batchs_images_are_part_of_what_dependents_read() -> None:
    assert output_digest(BATCH) != output_digest(NodeOutput(text=BATCH.text, image=RED, images=(RED, RED),
                                                            values={"count": 2}))
