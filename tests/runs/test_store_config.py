"""A run store the server cannot open stops it at start-up, with a message naming the URL without its password."""

from __future__ import annotations

from pathlib import Path

import pytest

from execution.store.urls import redact
from tests.cli.commands import FLOWEXEC, clean_env, run_command


async def test_a_store_that_cannot_be_opened_stops_the_server(tmp_path: Path) -> None:
    url = "postgresql://flow:s3cret-pw@127.0.0.1:1/runs"
    result = await run_command([*FLOWEXEC, "serve", "--port", "0"], cwd=tmp_path,
                               env=clean_env(FLOWEXEC_DATABASE_URL=url), timeout=60)
    assert result.returncode != 0
    assert "listening" not in result.stdout
    assert "postgresql://flow:***@127.0.0.1:1/runs" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_urls_are_shown_without_their_password() -> None:
    assert redact("postgresql://u:p%40ss@db:5432/x?sslmode=require") == "postgresql://u:***@db:5432/x?sslmode=require"
    assert redact("sqlite:////var/lib/flowexec/flowexec.db") == "sqlite:////var/lib/flowexec/flowexec.db"
    assert redact("postgresql://only-user@db/x") == "postgresql://only-user@db/x"
    assert redact("memory") == "memory"


async def test_a_store_unreachable_at_start_up_stops_the_server_with_a_message(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from server import main
    from server.settings import ServerSettings
    from tests.runs.stores import FaultyStore

    down = FaultyStore()
    down.down = True

    async def open_down(settings: ServerSettings) -> FaultyStore:
        return down

    monkeypatch.setattr(main, "open_run_store", open_down)
    monkeypatch.setattr(main, "configure_logging", lambda level, redactor: None)  # leave the test's logging be
    settings = ServerSettings(host="127.0.0.1", port=0, _env_file=None, database_url="postgresql://u:pw-secret@db/x")
    with pytest.raises(SystemExit) as info:
        await main.serve(settings)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "the run store at postgresql://u:***@db/x is unavailable" in err and "pw-secret" not in err
