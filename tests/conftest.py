"""Fixtures for every test, from modules named for what they hold (tests/fixtures/):
real servers on port 0 and clients (`start_server`, `engine`, `client`), the fake vendors
(`fake_openai`, `fake_anthropic`, `fake_hf`, `fake_glm`, `fake_fireworks`, `services`),
and the server's captured log (`server_log`)."""

pytest_plugins = [
    "tests.fixtures.servers",
    "tests.fixtures.fake_vendors",
    "tests.fixtures.server_log",
]
