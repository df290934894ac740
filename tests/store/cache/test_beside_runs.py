"""The server's cache lives in its run store's database and answers per owner: a real server
(StartRun, WatchRun, GetRun over a real channel) on a run store opened from each URL kind, its
NodeCache on the same database (execution.cache.open.cache_store_beside). Token usage is stored
with the run, and a hit reports none."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jwt
import pytest

from execution.cache.node_cache import NodeCache
from execution.cache.open import cache_store_beside, open_cache_store
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.store.open import open_store
from server.app import FlowexecServer
from server.settings import ServerSettings
from tests.cache.flows import LLM_NODES, by_prompt
from tests.cache.test_served_cache import ten_node_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.runs.runs_client import Runs

SECRET = "cache-owner-test-secret-0123456789abcdef"


def token(subject: str) -> str:
    return jwt.encode({"exp": int(time.time()) + 86400, "sub": subject}, SECRET, algorithm="HS256")


@asynccontextmanager
async def cached_server(url: str, fake_openai: FakeOpenAI, **settings: object) -> AsyncIterator[FlowexecServer]:
    """A started server on the run store `url` names, its cache beside it; stopped, then the
    cache and the store closed (in that order, as `flowexec serve` does)."""
    store = await open_store(url)
    cache = NodeCache(cache_store_beside(store))
    async with text_services(fake_openai) as services:
        server = FlowexecServer(Engine(builtin_registry(), services, cache=cache),
                                ServerSettings(host="127.0.0.1", port=0, _env_file=None, **settings), store)
        await server.start()
        try:
            yield server
        finally:
            await server.stop(grace=0)
            await cache.close()
            await store.close()


async def run_to_end(client: Runs) -> str:
    run = await client.start(ten_node_request())
    await client.watch(run.run_id)
    return run.run_id


async def test_a_cache_hit_is_stored_cached_with_the_run_in_the_same_database(
        fake_openai: FakeOpenAI, cache_kind: str, cache_url: str) -> None:
    fake_openai.responder = by_prompt
    async with cached_server(cache_url, fake_openai) as server, Runs(server.target) as client:
        first = await client.get(await run_to_end(client))
        second = await client.get(await run_to_end(client))
    assert len(fake_openai.requests) == 10
    # GetRun reads the stored run: the hits are stored `cached`, with the same answers.
    first_outputs = {n.node_id: n.output for n in first.nodes}
    second_outputs = {n.node_id: n.output for n in second.nodes}
    assert not any(first_outputs[n].cached for n in LLM_NODES)
    assert all(second_outputs[n].cached for n in LLM_NODES)
    assert {n: second_outputs[n].text for n in LLM_NODES} == {n: first_outputs[n].text for n in LLM_NODES}
    if cache_kind != "memory":  # the entries are in the runs' database, for any process to find
        store = await open_cache_store(cache_url)
        try:
            assert (await store.stats(time.time())).entries == len(LLM_NODES)
        finally:
            await store.close()


async def test_the_run_manager_scopes_the_cache_by_the_runs_owner(
        fake_openai: FakeOpenAI, memory_store_url: str) -> None:
    fake_openai.responder = by_prompt
    async with cached_server(memory_store_url, fake_openai, auth_jwt_secret=SECRET) as server:
        async with Runs(server.target, token("ana")) as ana, Runs(server.target, token("ben")) as ben:
            await run_to_end(ana)
            assert len(fake_openai.requests) == 10
            await run_to_end(ben)  # the same flow, another user: none of ana's entries answer
            assert len(fake_openai.requests) == 20
            again = await ana.get(await run_to_end(ana))
    assert len(fake_openai.requests) == 20
    assert all(n.output.cached for n in again.nodes if n.node_id in LLM_NODES)


async def test_usage_is_stored_with_the_run_and_a_hit_spends_none(
        fake_openai: FakeOpenAI, cache_kind: str, cache_url: str) -> None:
    def with_usage(request: ReceivedRequest) -> Reply:
        return Reply.text(by_prompt(request).full_text, usage=(10, 5))

    fake_openai.responder = with_usage
    async with cached_server(cache_url, fake_openai) as server, Runs(server.target) as client:
        first_id = await run_to_end(client)
        second_id = await run_to_end(client)
        first, second = await client.get(first_id), await client.get(second_id)
        first_end, second_end = (await client.watch(first_id))[-1], (await client.watch(second_id))[-1]
    first_usage = {n.node_id: (n.output.usage.input_tokens, n.output.usage.output_tokens) for n in first.nodes}
    assert {n: first_usage[n] for n in LLM_NODES} == dict.fromkeys(LLM_NODES, (10, 5))
    total = first_end.run_completed.usage
    assert (total.input_tokens, total.output_tokens) == (100, 50)  # the stored events replayed
    assert not any(n.output.HasField("usage") for n in second.nodes)  # served from the cache: no tokens
    assert not second_end.run_completed.HasField("usage")


@pytest.mark.parametrize("cache_kind", ["sqlite", "postgres"], indirect=True)
async def test_a_restarted_server_is_served_from_the_cache_its_database_kept(
        fake_openai: FakeOpenAI, cache_url: str) -> None:
    fake_openai.responder = by_prompt
    async with cached_server(cache_url, fake_openai) as server, Runs(server.target) as client:
        await run_to_end(client)
    async with cached_server(cache_url, fake_openai) as server, Runs(server.target) as client:
        again = await client.get(await run_to_end(client))
    assert len(fake_openai.requests) == 10
    assert all(n.output.cached for n in again.nodes if n.node_id in LLM_NODES)
