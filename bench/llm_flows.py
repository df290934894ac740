"""Flows of real LLM text nodes pointed at bench.fake_provider, when those nodes exist.

The server's "mistral" provider is aimed at the fake (base URL and key by environment, as
execution.providers.settings reads them) and its process-wide concurrency cap is lifted:
the default (8 calls in flight per provider) is a politeness limit towards a real vendor,
and would turn a 1000-run load test into a measurement of that queue.
"""

from __future__ import annotations

from google.protobuf import struct_pb2

from bench.graphs import Shape
from flowexec.v1 import flow_service_pb2, graph_pb2

PROVIDER = "mistral"


def available() -> bool:
    try:
        from execution.nodes import text  # noqa: F401
        from execution.providers.settings import ProviderSettings
    except ImportError:
        return False
    return "mistral_base_url" in ProviderSettings.model_fields


def server_env(fake_target: str) -> dict[str, str]:
    return {
        "MISTRAL_API_KEY": "bench-fake-key",
        "FLOWEXEC_MISTRAL_BASE_URL": f"http://{fake_target}/v1",
        "FLOWEXEC_PROVIDER_CONCURRENCY": "100000",
        "FLOWEXEC_PROVIDER_MAX_ATTEMPTS": "1",
    }


def ten_llm_nodes(shape: Shape) -> flow_service_pb2.ExecuteFlowRequest:
    """bench.graphs.ten_node_flow with text nodes: storyTeller → 4 × (grammarFix → promptEnhancer)
    → grammarFix. Every node makes exactly one streamed call."""
    types = {"root": "storyTeller", "join": "grammarFix"}
    request = flow_service_pb2.ExecuteFlowRequest(flow_id="ten-llm", provider_id=PROVIDER)
    for node_id in shape.seconds:
        node_type = types.get(node_id, "grammarFix" if node_id.endswith("a") else "promptEnhancer")
        data = struct_pb2.Struct()
        if node_type == "storyTeller":
            data.update({"idea": "a lighthouse keeper's last night"})
        request.nodes.append(graph_pb2.Node(id=node_id, type=node_type, data=data))
    for i, (src, dst) in enumerate(shape.edges):
        request.edges.append(graph_pb2.Edge(id=f"e{i}", source=src, target=dst))
    return request


def one_llm_node() -> flow_service_pb2.ExecuteFlowRequest:
    request = flow_service_pb2.ExecuteFlowRequest(flow_id="tokens", provider_id=PROVIDER)
    data = struct_pb2.Struct()
    data.update({"idea": "a lighthouse keeper's last night"})
    request.nodes.append(graph_pb2.Node(id="story", type="storyTeller", data=data))
    return request
