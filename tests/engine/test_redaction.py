"""The streaming redactor: however a text is cut into chunks, what it lets out is exactly the
redaction of the whole text, and it never holds back more than (longest secret − 1)."""

from __future__ import annotations

import random

import pytest

from execution.redaction import SecretRedactor


def stream_through(redactor: SecretRedactor, chunks: list[str]) -> tuple[str, int]:
    stream = redactor.stream()
    out, most_held = [], 0
    for chunk in chunks:
        out.append(stream.feed(chunk))
        most_held = max(most_held, sum(map(len, chunks[: len(out)])) - sum(map(len, out)))
    out.append(stream.end())
    return "".join(out), most_held


def test_a_key_split_across_chunks_is_masked_and_nothing_else_waits() -> None:
    redactor = SecretRedactor(["sk-live-0123456789"])
    stream = redactor.stream()
    assert stream.feed("the key is sk-li") == "the key is "  # "sk-li" may be the key: held
    assert stream.feed("ve-0123") == ""
    assert stream.feed("456789, and s") == "[redacted], and "
    assert stream.feed("o on") == "so on"  # "so" is not the key after all: let out at once
    assert stream.end() == ""


@pytest.mark.parametrize("seed", range(5))
def test_any_chunking_gives_the_redaction_of_the_whole(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2000):
        # A tiny alphabet, so secrets overlap, nest and repeat in every way.
        secrets = ["".join(rng.choice("ab") for _ in range(rng.randint(6, 9))) for _ in range(rng.randint(1, 3))]
        redactor = SecretRedactor(secrets)
        text = "".join(rng.choice("abx") for _ in range(rng.randint(0, 50)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(0, 10))))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        out, most_held = stream_through(redactor, chunks)
        assert out == redactor.redact(text), (secrets, chunks)
        assert most_held <= redactor.longest - 1, (secrets, chunks)


def test_without_secrets_chunks_pass_untouched() -> None:
    redactor = SecretRedactor()
    assert not redactor.active
    stream = redactor.stream()
    assert [stream.feed(c) for c in ("sk-", "anything")] == ["sk-", "anything"] and stream.end() == ""
