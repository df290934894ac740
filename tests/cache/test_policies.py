"""What is cached, for whom, and when not: the node types' policies, the request's mode and the
node's own setting, dry runs, owners, and the seed an image is made with."""

from __future__ import annotations

from execution.cache.memory_store import MemoryCacheStore
from execution.cache.mode import CacheMode
from execution.redaction import MASK
from execution.services import Services
from tests.builders import edge, node
from tests.cache.flows import LLM_NODES, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_glm_image import FakeGlmImage
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.image_script import ImageReply
from tests.fakes.llm_env import TEST_KEYS, text_services
from tests.fakes.llm_script import Reply
from tests.images import samples

PNG = samples.solid((64, 64))


def story(**data: object) -> tuple[list, list]:
    return [node("idea", "initialPrompt", text="a lost key"), node("s", "storyTeller", **data)], [edge("idea", "s")]


async def test_the_storyteller_is_not_cached_unless_the_node_asks(fake_openai: FakeOpenAI) -> None:
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        for _ in range(2):
            assert not (await run(engine, *story())).output("s").cached
        assert len(fake_openai.requests) == 2  # a new story each time, as its prompt demands
        await run(engine, *story(cache=True))
        asked = await run(engine, *story(cache="use"))
    assert asked.output("s").cached and len(fake_openai.requests) == 3


async def test_image_generation_is_cached_only_with_a_fixed_seed_its_vendor_takes(
        services: Services, fake_hf: FakeHfImage, fake_glm: FakeGlmImage) -> None:
    fake_hf.default = lambda _request: ImageReply(PNG)
    fake_glm.default = lambda _request: ImageReply(PNG)
    engine = cached_engine(services)

    def generator(**data: object) -> tuple[list, list]:
        return [node("gen", "imageGenerator", prompt="a red fox in snow", **data)], []

    fixed = [await run(engine, *generator(seed=42)) for _ in range(2)]
    assert len(fake_hf.requests) == 1
    assert [r.output("gen").cached for r in fixed] == [False, True]
    assert fixed[1].output("gen").image == fixed[0].output("gen").image and fixed[1].output("gen").seed == 42

    random = [await run(engine, *generator()) for _ in range(2)]
    assert len(fake_hf.requests) == 3 and not any(r.output("gen").cached for r in random)
    # The seed drawn for a random generation is in the output: set on the node, it is sent again.
    seed = random[0].output("gen").seed
    assert seed is not None and fake_hf.requests[1].json["parameters"]["seed"] == seed
    await run(engine, *generator(seed=seed))
    assert fake_hf.requests[3].json["parameters"]["seed"] == seed

    glm = [await run(engine, *generator(seed=42, providerId="glm")) for _ in range(2)]  # GLM takes no seed
    assert len(fake_glm.requests_to("generations")) == 2 and not any(r.output("gen").cached for r in glm)
    assert glm[0].output("gen").seed is None


async def test_a_dry_run_neither_reads_nor_writes_the_cache(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        dry = await run(engine, nodes, edges, dry_run=True)
        assert engine.cache is not None
        await engine.cache.flush()
        assert (await engine.cache.store.stats(0)).entries == 0  # nothing written
        await run(engine, nodes, edges)
        assert len(fake_openai.requests) == 10
        dry_again = await run(engine, nodes, edges, dry_run=True)  # entries exist now: still not read
    for result in (dry, dry_again):
        assert all(result.output(n).dry_run and not result.output(n).cached for n in LLM_NODES)
    assert engine.cache.counters.hits == 0


async def test_refresh_computes_again_and_bypass_leaves_the_cache_alone(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        await run(engine, nodes, edges)
        refreshed = await run(engine, nodes, edges, mode=CacheMode.REFRESH)
        assert len(fake_openai.requests) == 20 and not any(cached(refreshed, LLM_NODES).values())
        bypassed = await run(engine, nodes, edges, mode=CacheMode.BYPASS)
        assert len(fake_openai.requests) == 30 and not any(cached(bypassed, LLM_NODES).values())
        one_node = await run(engine, *ten_node_flow(t3={"cache": "refresh"}, g1={"cache": False}))
    assert len(fake_openai.requests) == 32
    assert {n for n, c in cached(one_node, LLM_NODES).items() if not c} == {"t3", "g1"}


async def test_a_users_entries_answer_only_that_user_unless_shared(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        private = cached_engine(services)
        await run(private, nodes, edges, owner="ana")
        bob = await run(private, nodes, edges, owner="bob")
        assert len(fake_openai.requests) == 20 and not any(cached(bob, LLM_NODES).values())
        shared = cached_engine(services, shared=True)
        await run(shared, nodes, edges, owner="ana")
        bob_shared = await run(shared, nodes, edges, owner="bob")
    assert len(fake_openai.requests) == 30 and all(cached(bob_shared, LLM_NODES).values())


async def test_what_is_stored_is_an_answer_without_secrets(fake_openai: FakeOpenAI) -> None:
    """A vendor that echoes our key leaves no key in the cache's store; a pass-through (no
    language to translate: no call) is not stored at all."""
    key = TEST_KEYS["mistral"]
    fake_openai.responder = lambda request: Reply.text(f"as asked, {key} — here it is")
    nodes = [node("p", "initialPrompt", text="a harbour"), node("t", "translator", language="fr"),
             node("none", "translator")]
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        first = await run(engine, nodes, [edge("p", "t"), edge("p", "none")])
        assert engine.cache is not None
        await engine.cache.flush()
        store = engine.cache.store
        assert isinstance(store, MemoryCacheStore)
        stored = [row.entry for row in store._rows.values()]
        second = await run(engine, nodes, [edge("p", "t"), edge("p", "none")])
    assert [e.node_type for e in stored] == ["translator"]  # "none" made no call: nothing to save
    assert key not in stored[0].output.text and MASK in stored[0].output.text
    assert second.output("t").cached and second.output("t").text == first.output("t").text
