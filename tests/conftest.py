"""Fixtures for every test, from modules named for what they hold (tests/fixtures/):
real servers on port 0 and clients (`start_server`, `engine`, `client`), the fake vendors
(`fake_openai`, `fake_anthropic`, `fake_hf`, `fake_glm`, `fake_fireworks`, `services`; `fake_comfyui`
and `comfy_services`),
the server's captured log (`server_log`), and a real PostgreSQL (`postgres`, `postgres_url`)."""

pytest_plugins = [
    "tests.fixtures.servers",
    "tests.fixtures.fake_vendors",
    "tests.fixtures.server_log",
    "tests.fixtures.postgres",
]
