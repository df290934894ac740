"""The `pipeline` node in the node-output cache: the same config, input and mode are served from
the cache (no call, no steps); another mode, or a config whose files changed, runs again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from execution.graph.model import RunOptions
from execution.model_tasks.mode import ExecutionMode
from execution.pipelines.library import PipelineLibrary
from execution.services import Services
from tests.builders import flow, node
from tests.cache.flows import cached_engine
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.pipelines.library_files import config, llm_chunk, write_library
from tests.run_flow import Run


async def run(engine, mode: ExecutionMode | None = None, **data: str) -> Run:  # type: ignore[no-untyped-def]
    request = replace(flow([node("p", "pipeline", **{"config": "dadaism", "text": "a tram", **data})], []),
                      options=RunOptions(execution_mode=mode))
    return Run(await engine.run(request))


async def test_the_same_run_is_served_from_the_cache(mode_services: Services, ollama: FakeOllama,
                                                     openrouter: FakeOpenAI) -> None:
    engine = cached_engine(mode_services)
    first = await run(engine)
    second = await run(engine)
    assert not first.output("p").cached and second.output("p").cached
    assert second.output("p").text == first.output("p").text
    assert len(ollama.requests) == 1
    assert not [e for e in second.events if type(e.body).__name__ == "NodeStep"]
    fast = await run(engine, ExecutionMode.FAST)  # another mode: another model, another key
    assert not fast.output("p").cached and len(openrouter.requests) == 1
    assert (await run(engine, ExecutionMode.ECO)).output("p").cached  # naming the default mode changes nothing


async def test_a_changed_config_file_is_a_new_key(tmp_path: Path, mode_services: Services,
                                                  ollama: FakeOllama) -> None:
    def library(context: str) -> PipelineLibrary:
        root = write_library(tmp_path / context, configs={"dadaism": config(context=context)},
                             pipelines={"moody": {"chunks": ["paint"]}},
                             chunks={"paint": llm_chunk("{{CONTEXT}} {{INPUT_TEXT}}")})
        return PipelineLibrary.load([root], mode_services.model_tasks)

    engine = cached_engine(replace(mode_services, pipelines=library("Merz")))
    await run(engine)
    engine.services = replace(mode_services, pipelines=library("Dada"))  # one engine: one cache, its queue included
    again = await run(engine)
    assert not again.output("p").cached
    assert [r.prompt for r in ollama.requests] == ["Merz a tram", "Dada a tram"]
