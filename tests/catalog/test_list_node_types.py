"""ListNodeTypes over a real server: the catalogue an editor builds its palette from, derived from
the node types' specs — sceneBuilder's seven settings and their choices, the translator's 28
languages, element settings and ports, default models, cache policies — filtered by family, and
behind the same authentication as every FlowService call."""

from __future__ import annotations

import time

import grpc
import jwt
import pytest
from google.protobuf import json_format

from execution.nodes.builtin import builtin_registry
from execution.nodes.languages import LANGUAGE_NAMES
from execution.prompts.scene_blocks import SCENE_PROMPT_BLOCKS
from flowexec.client import FlowClient
from flowexec.v1 import catalog_pb2
from tests.fixtures.servers import StartServer


def by_type(response: catalog_pb2.ListNodeTypesResponse) -> dict[str, catalog_pb2.NodeType]:
    return {t.type: t for t in response.node_types}


def fields(node_type: catalog_pb2.NodeType) -> dict[str, catalog_pb2.NodeField]:
    return {f.name: f for f in node_type.fields}


async def test_every_node_type_the_server_runs_is_listed_once_in_registration_order(client: FlowClient) -> None:
    response = await client.list_node_types()
    assert [t.type for t in response.node_types] == [spec.node_type for spec in builtin_registry(diagnostic_nodes=True)]
    assert response.families == ["data_source", "text", "image", "output", "pipeline", "flow_control", "input",
                                 "utility", "ai", "code", "blockchain", "diagnostic"]
    assert {t.origin for t in response.node_types} == {"builtin"}
    assert not response.plugins  # plugins are off by default


async def test_scene_builder_lists_its_seven_settings_and_their_choices(client: FlowClient) -> None:
    scene = by_type(await client.list_node_types(family="data_source"))["sceneBuilder"]
    assert (scene.family, scene.display_name, scene.calls_provider) == ("data_source", "Scene Builder", False)
    listed = fields(scene)
    assert list(listed) == ["imageStyle", "lighting", "timeOfDay", "weather", "cameraAngle", "cameraLens", "mood"]
    for name, field in listed.items():
        assert list(field.options) == list(SCENE_PROMPT_BLOCKS[name]), name
        # Open: a choice newer than the server is kept as a phrase, not refused.
        assert (field.type, field.options_open, field.default_value.string_value) == ("string", True, "")
    assert listed["cameraAngle"].label == "Camera angle"
    assert [(p.name, p.kind) for p in scene.outputs] == [("text", catalog_pb2.PORT_KIND_TEXT)]
    assert scene.cache_default == catalog_pb2.CACHE_DEFAULT_NEVER


async def test_the_translator_lists_its_28_languages_default_model_and_cache(client: FlowClient) -> None:
    translator = by_type(await client.list_node_types(family="text"))["translator"]
    language = fields(translator)["language"]
    assert len(language.options) == 28 and list(language.options) == list(LANGUAGE_NAMES)
    assert language.options_open  # an unknown code is sent as the language's name ("Basque")
    assert fields(translator)["executionMode"].options == ["eco", "fast"]
    assert not fields(translator)["executionMode"].options_open
    assert (translator.default_model.provider_id, translator.default_model.model) == ("mistral", "ministral-14b-2512")
    assert translator.calls_provider and translator.cache_default == catalog_pb2.CACHE_DEFAULT_CACHED
    assert [(p.name, p.kind) for p in translator.inputs] == [("text", catalog_pb2.PORT_KIND_TEXT)]
    story = by_type(await client.list_node_types(family="text"))["storyTeller"]
    assert story.cache_default == catalog_pb2.CACHE_DEFAULT_OPT_IN
    assert story.default_model.model == "labs-mistral-small-creative"


async def test_numbers_carry_their_ranges_and_the_generator_its_output_schema(client: FlowClient) -> None:
    generator = by_type(await client.list_node_types(family="image"))["imageGenerator"]
    width = fields(generator)["width"]
    assert (width.type, width.minimum, width.maximum, width.nullable) == ("integer", 64, 4096, True)
    assert not generator.HasField("default_model")  # it follows the flow's provider or the default vendor
    assert generator.cache_default == catalog_pb2.CACHE_DEFAULT_CONDITIONAL
    output = json_format.MessageToDict(generator.output_schema)
    assert set(output["properties"]) == {"image", "text", "seed"}
    assert output["properties"]["image"]["properties"]["mimeType"] == {"type": "string"}


async def test_elements_list_their_ports_and_closed_options(client: FlowClient) -> None:
    listed = by_type(await client.list_node_types())
    merge = listed["merge"]
    assert list(fields(merge)["join"].options) == ["any", "all", "first_non_null"]
    assert not fields(merge)["join"].options_open
    assert (merge.join, merge.join_from_settings, merge.inputs_open) == (catalog_pb2.JOIN_POLICY_ANY, True, True)
    case = listed["case"]
    assert case.ports_from_settings
    assert [(p.name, p.kind, p.branch) for p in case.outputs] == [("default", catalog_pb2.PORT_KIND_VALUE, True)]
    assert fields(case)["cases"].type == "array"
    assert "operator" in json_format.MessageToDict(fields(case)["cases"].schema)["items"]["properties"]
    end = listed["end"]
    assert end.results and end.inputs_open and end.ports_from_settings
    assert [f.name for f in listed["flow_select"].fields if f.required] == ["outputs"]
    llm = listed["llm_text"]
    assert (llm.default_model.provider_id, fields(llm)["temperature"].maximum) == ("bedrock", 2)
    assert [p.name for p in llm.outputs] == ["llm_output"]


async def test_an_unknown_family_is_invalid_argument_naming_the_known_ones(client: FlowClient) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.list_node_types(family="texts")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith("family: unknown family 'texts' (known: data_source, text, image")


async def test_the_catalogue_needs_a_token_when_auth_is_on(start_server: StartServer) -> None:
    secret = "a-test-secret-for-the-catalogue-0123456789"
    target = await start_server(auth_jwt_secret=secret)
    async with FlowClient(target) as anonymous:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await anonymous.list_node_types()
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await anonymous.get_model_defaults()
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    signed = jwt.encode({"sub": "u", "exp": int(time.time()) + 60}, secret, algorithm="HS256")
    async with FlowClient(target, metadata=[("authorization", f"Bearer {signed}")]) as client:
        assert (await client.list_node_types(family="output")).node_types[0].type == "textOutput"
