"""A fake OpenAI-compatible provider in its own process, for load and token-latency figures.

POST …/chat/completions: waits `--latency` seconds (the model "thinking"), then streams
`--chunks` SSE chunks `--interval` seconds apart and `data: [DONE]`. Every chunk's text is
`⟦<time.time_ns() at write>⟧ `, so a client that receives the matching text delta can tell
how long the chunk took to reach it (same host, same clock). Non-streamed requests get
the same text as one JSON completion. Run: `python -m bench.fake_provider --latency 0.1`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import time
from typing import Any

from aiohttp import web

STAMP = re.compile(r"⟦(\d+)⟧")


def stamps(text: str) -> list[int]:
    """The write times (ns) carried by a text delta."""
    return [int(s) for s in STAMP.findall(text)]


def _frame(model: str, delta: dict[str, Any], finish: str | None) -> bytes:
    chunk = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time()),
             "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def make_app(latency: float, chunks: int, interval: float) -> web.Application:
    async def completions(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        model = body.get("model", "bench")
        await asyncio.sleep(latency)
        if not body.get("stream"):
            text = "".join(f"⟦{time.time_ns()}⟧ " for _ in range(chunks))
            return web.json_response({
                "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": chunks, "total_tokens": chunks + 1}})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        await response.write(_frame(model, {"role": "assistant", "content": ""}, None))
        for i in range(chunks):
            if i and interval:
                await asyncio.sleep(interval)
            await response.write(_frame(model, {"content": f"⟦{time.time_ns()}⟧ "}, None))
        await response.write(_frame(model, {}, "stop") + b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/{prefix:.*}chat/completions", completions)
    return app


async def _serve(args: argparse.Namespace) -> None:
    runner = web.AppRunner(make_app(args.latency, args.chunks, args.interval), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"fake-provider listening on 127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--chunks", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.0)
    asyncio.run(_serve(parser.parse_args()))
