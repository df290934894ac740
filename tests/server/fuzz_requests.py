"""Seeded random ExecuteFlow payloads: mutated bytes of valid requests, random bytes, and random
structured requests (hostile ids, random types and edges, NaN/Infinity, deep Structs, cached
outputs). Every request runs fast: no node is told to sleep, and providers are not configured."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from google.protobuf import struct_pb2
from google.protobuf.internal.encoder import _VarintBytes

from flowexec.v1 import flow_service_pb2, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request

NODE_TYPES = ["consistentCharacter", "sceneBuilder", "initialPrompt", "promptEnhancer", "translator", "storyTeller",
              "grammarFix", "compressor", "imageDescriber", "imageGenerator", "personasReplacer", "textOutput",
              "diag.delay", "diag.fail", "diag.stream", "group", "", "unknownType", "textOutput\n"]
DATA_KEYS = ["text", "characterName", "characterDescription", "lighting", "mood", "tags", "notes", "language", "idea",
             "style", "imageType", "prompt", "providerId", "model", "chunks", "message", "retryable", "image",
             "width", "temperature", "a b", "\u202e", ""]
HANDLES = ["text", "text2", "adapter-persona", "adapter-x", "", "image"]
HOSTILE = ["\n", "\r\n", "\x00", "\u202e", "\u2028", "\x1b[31m", "\t", "\x85", "é", "🙂", "\\n"]
NUMBERS = [0.0, 1.0, -1.0, 0.5, 1e308, -0.0, math.nan, math.inf, -math.inf]

VALID = [
    pb_request([pb_node("c", "consistentCharacter", characterName="Ana", characterDescription="tall"),
                pb_node("p", "initialPrompt", text="a harbour"), pb_node("o", "textOutput")],
               [pb_edge("c", "p", "adapter-persona"), pb_edge("p", "o")], dry_run=True),
    pb_request([pb_node("s", "diag.stream", chunks=["a", "b"]), pb_node("f", "diag.fail", message="x"),
                pb_node("o", "textOutput")], [pb_edge("s", "o"), pb_edge("f", "o", "text2")]),
    pb_request([pb_node("d", "diag.delay", text="hi"), pb_node("t", "translator", language="it")],
               [pb_edge("d", "t")], dry_run=True, trigger_node_id="t",
               cached_outputs={"d": graph_pb2.NodeOutput(text="cached")}),
]
VALID_BYTES = [r.SerializeToString() for r in VALID]


def _field(number: int, payload: bytes) -> bytes:
    return _VarintBytes(number << 3 | 2) + _VarintBytes(len(payload)) + payload


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def payload(self) -> bytes:
        kind: Callable[[], bytes] = self.rng.choices(
            [self.mutated, self.random_bytes, self.structured, self.deep_struct], weights=[35, 10, 50, 5])[0]
        return kind()

    # -- bytes ----------------------------------------------------------------------------

    def mutated(self) -> bytes:
        data = bytearray(self.rng.choice(VALID_BYTES))
        for _ in range(self.rng.randint(1, 6)):
            op = self.rng.randrange(4)
            if op == 0 and data:  # flip a bit
                i = self.rng.randrange(len(data))
                data[i] ^= 1 << self.rng.randrange(8)
            elif op == 1 and data:  # truncate
                del data[self.rng.randrange(len(data)):]
            elif op == 2:  # insert random bytes
                i = self.rng.randint(0, len(data))
                data[i:i] = self.rng.randbytes(self.rng.randint(1, 8))
            else:  # overwrite a byte
                if data:
                    data[self.rng.randrange(len(data))] = self.rng.randrange(256)
        return bytes(data)

    def random_bytes(self) -> bytes:
        return self.rng.randbytes(self.rng.randint(0, 300))

    def deep_struct(self) -> bytes:
        struct = b""
        for _ in range(self.rng.randint(25, 60)):
            struct = _field(1, _field(1, b"k") + _field(2, _field(5, struct)))
        return _field(1, b"deep") + _field(2, _field(1, b"n") + _field(2, b"textOutput") + _field(3, struct))

    # -- structured -----------------------------------------------------------------------

    def text(self) -> str:
        r = self.rng.random()
        if r < 0.02:
            return self.rng.choice("abc\n") * self.rng.randint(10_000, 60_000)  # huge
        parts = [self.rng.choice(["n", "node", "a", "b", "x"]) + str(self.rng.randint(0, 9))]
        if r < 0.4:
            parts.insert(self.rng.randint(0, 1), self.rng.choice(HOSTILE) + "2026-01-01 INFO forged")
        return "".join(parts)

    def number(self) -> float:
        return self.rng.choice(NUMBERS) if self.rng.random() < 0.15 else self.rng.uniform(-5, 5)

    def value(self, depth: int = 0) -> object:
        r = self.rng.random()
        if r < 0.35:
            return self.text()
        if r < 0.6:
            return self.number()
        if r < 0.7:
            return self.rng.random() < 0.5
        if r < 0.8 or depth > 3:
            return None
        if r < 0.9:
            return [self.value(depth + 1) for _ in range(self.rng.randint(0, 3))]
        return {self.rng.choice(DATA_KEYS): self.value(depth + 1) for _ in range(self.rng.randint(0, 3))}

    def data(self) -> struct_pb2.Struct:
        data = struct_pb2.Struct()
        for _ in range(self.rng.randint(0, 4)):
            key = self.rng.choice(DATA_KEYS)
            if key == "chunks":
                data.update({key: [self.text() for _ in range(self.rng.randint(0, 3))]})
            else:
                data.update({key: self.value()})
        return data

    def output(self) -> graph_pb2.NodeOutput:
        out = graph_pb2.NodeOutput(text=self.text(), persona_name=self.text(), dry_run=self.rng.random() < 0.5)
        if self.rng.random() < 0.3:
            out.provider_calls.add(provider_id=self.text(), model="m", temperature=self.number(),
                                   messages=[graph_pb2.ChatMessage(role="user", content=self.text())])
        if self.rng.random() < 0.1:
            out.image.data, out.image.mime_type = self.rng.randbytes(20), "image/png"
        return out

    def structured(self) -> bytes:
        rng = self.rng
        ids = [self.text() for _ in range(rng.randint(0, 8))]
        nodes = [graph_pb2.Node(id=i, type=rng.choice(NODE_TYPES), data=self.data()) for i in ids]
        if nodes and rng.random() < 0.2:
            nodes.append(nodes[0])  # a repeated node
        ends = [*ids, self.text(), ""]
        if rng.random() < 0.5:  # random edges: mostly invalid
            edges = [graph_pb2.Edge(id=rng.choice([self.text(), "", "e"]), source=rng.choice(ends),
                                    target=rng.choice(ends), source_handle="out", target_handle=rng.choice(HANDLES))
                     for _ in range(rng.randint(0, 10))]
        else:  # edges forward between the request's nodes: often a graph that runs
            pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if a != b]
            edges = [graph_pb2.Edge(id=f"e{k}", source=a, target=b, target_handle=rng.choice(HANDLES))
                     for k, (a, b) in enumerate(rng.sample(pairs, k=min(len(pairs), rng.randint(0, 8))))]
        if rng.random() < 0.01:  # thousands of violations
            edges += [pb_edge("a", f"ghost{i}", edge_id=f"e{i}") for i in range(rng.randint(1000, 3000))]
        request = flow_service_pb2.ExecuteFlowRequest(
            flow_id=self.text(), nodes=nodes, edges=edges, provider_id=rng.choice(["", "mistral", "claude", self.text()]),
            trigger_node_id=rng.choice(["", "", "", "", *ids, self.text()]),
            options=flow_service_pb2.ExecutionOptions(dry_run=rng.random() < 0.7,
                                                      max_concurrency=rng.choice([0, 1, 4, -5, 2**31 - 1])),
        )
        for node_id in rng.sample(ends, k=min(len(ends), rng.randint(0, 2))):
            request.cached_outputs[node_id].CopyFrom(self.output())
        return request.SerializeToString()
