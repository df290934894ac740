"""GetModelDefaults over a real server: what the editor's model-defaults.ts held (seed 000's table
of node-type defaults), each provider's default models as the operator configured them, the
default image vendor and the task table — and the models a dry run actually uses agree with it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from execution.engine import Engine
from execution.model_tasks.mode import ExecutionMode
from execution.model_tasks.table import ModelTasks, TaskTable
from execution.nodes.builtin import builtin_registry
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.providers.settings import ProviderSettings
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import catalog_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fixtures.servers import StartServer

# Seed 000, "Current per-node-type defaults" (model-defaults.ts): node type → (provider, model).
EDITOR_DEFAULTS = {
    "grammarFix": ("mistral", "ministral-14b-2512"),
    "compressor": ("mistral", "ministral-14b-2512"),
    "promptEnhancer": ("mistral", "ministral-14b-2512"),
    "initialPrompt": ("mistral", "ministral-14b-2512"),
    "translator": ("mistral", "ministral-14b-2512"),
    "storyTeller": ("mistral", "labs-mistral-small-creative"),
    "imageDescriber": ("claude", ""),
    "personasReplacer": ("claude", ""),
}


def node_defaults(response: catalog_pb2.GetModelDefaultsResponse) -> dict[str, tuple[str, str] | None]:
    return {n.node_type: (n.default_model.provider_id, n.default_model.model) if n.HasField("default_model") else None
            for n in response.node_types}


def providers(response: catalog_pb2.GetModelDefaultsResponse, kind: int) -> dict[str, catalog_pb2.ProviderModelDefault]:
    return {p.provider_id: p for p in response.providers if p.kind == kind}


@pytest.fixture
async def tuned() -> AsyncIterator[Services]:
    """An operator's choices: another Mistral default, GLM for images, a task changed, fast mode."""
    tasks = ModelTasks(TaskTable.default(overrides={"standard": {"fast": "openrouter/meta/llama-4"}}),
                       default_mode=ExecutionMode.FAST)
    services = Services.from_settings(ProviderSettings.explicit(mistral_model="mistral-medium-2508"),
                                      ImageProviderSettings.explicit(image_provider="glm"), model_tasks=tasks)
    try:
        yield services
    finally:
        await services.aclose()


async def test_the_editors_table_comes_from_the_node_types(client: FlowClient) -> None:
    response = await client.get_model_defaults()
    defaults = node_defaults(response)
    assert {t: defaults[t] for t in EDITOR_DEFAULTS} == EDITOR_DEFAULTS
    # Types that call a provider with no default of their own follow the flow's provider.
    assert defaults["imageGenerator"] is None and defaults["pipeline"] is None
    assert defaults["llm_text"] == ("bedrock", "")
    assert "sceneBuilder" not in defaults and "textOutput" not in defaults  # they call no provider


async def test_providers_tasks_and_image_vendor_are_the_operators(start_server: StartServer, tuned: Services) -> None:
    async with FlowClient(await start_server(Engine(builtin_registry(), tuned))) as client:
        response = await client.get_model_defaults()
    text = providers(response, catalog_pb2.PROVIDER_KIND_TEXT)
    assert (text["mistral"].default_model, text["mistral"].vision_model) == ("mistral-medium-2508", "pixtral-12b-2409")
    assert text["claude"].default_model == "claude-sonnet-5-5" and text["openai"].default_model == ""
    images = providers(response, catalog_pb2.PROVIDER_KIND_IMAGE)
    assert images["huggingface"].default_model == "black-forest-labs/FLUX.1-schnell"
    assert "zai" in images["glm"].aliases
    assert response.default_image_provider == "glm"
    tasks = {t.name: t for t in response.tasks}
    assert (tasks["standard"].fast.provider_id, tasks["standard"].fast.model) == ("openrouter", "meta/llama-4")
    assert tasks["vision"].always_local and tasks["vision"].fast.provider_id == "ollama"
    assert response.default_execution_mode == "fast"


async def test_filters_pick_one_node_type_or_one_provider(client: FlowClient) -> None:
    one = await client.get_model_defaults(node_type="storyTeller")
    assert node_defaults(one) == {"storyTeller": ("mistral", "labs-mistral-small-creative")}
    glm = await client.get_model_defaults(provider_id="glm")
    assert [(p.provider_id, p.kind) for p in glm.providers] == [
        ("glm", catalog_pb2.PROVIDER_KIND_TEXT), ("glm", catalog_pb2.PROVIDER_KIND_IMAGE)]
    for field, call in (("node_type", client.get_model_defaults(node_type="nope")),
                        ("provider_id", client.get_model_defaults(provider_id="nope"))):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert info.value.details().startswith(f"{field}: unknown")


async def test_a_dry_run_uses_the_models_the_defaults_name(start_server: StartServer, tuned: Services) -> None:
    """The translator's type default; a node naming only a provider gets that provider's default
    model as GetModelDefaults reports it (here the operator's Mistral model)."""
    async with FlowClient(await start_server(Engine(builtin_registry(), tuned))) as client:
        response = await client.get_model_defaults()
        request = pb_request([pb_node("idea", "sceneBuilder", mood="eerie"), pb_node("t", "translator", language="fr"),
                              pb_node("g", "grammarFix", providerId="mistral")],
                             [pb_edge("idea", "t"), pb_edge("idea", "g")], dry_run=True)
        calls = {e.node_output.node_id: e.node_output.output.provider_calls[0] async for e in client.execute_flow(request)
                 if e.HasField("node_output") and e.node_output.output.provider_calls}
    assert (calls["t"].provider_id, calls["t"].model) == node_defaults(response)["translator"]
    mistral = providers(response, catalog_pb2.PROVIDER_KIND_TEXT)["mistral"]
    assert (calls["g"].provider_id, calls["g"].model) == ("mistral", mistral.default_model)
