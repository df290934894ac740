"""The raw floor of an LLM call: the same streamed chat.completions calls the text nodes make,
sent to bench.fake_provider by bare aiohttp in a process of its own — a JSON body posted on a
kept connection, the SSE lines split and each `data:` parsed with json.loads, the content
joined. No SDK, engine or gRPC: what a call costs at least in Python. Prints the process's CPU
seconds and the number of calls as one JSON line.

Run: `python -m bench.llm_floor --target 127.0.0.1:PORT --calls 2000 --concurrency 800`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

BODY = {"model": "bench", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "system", "content": "You fix grammar."},
                     {"role": "user", "content": "a lighthouse keeper's last night"}]}


async def _call(session: aiohttp.ClientSession, url: str) -> str:
    parts: list[str] = []
    async with session.post(url, json=BODY, headers={"Authorization": "Bearer bench"}) as response:
        response.raise_for_status()
        async for line in response.content:
            if not line.startswith(b"data: "):
                continue
            data = line[6:].strip()
            if data == b"[DONE]":
                break
            for choice in json.loads(data).get("choices", ())[:1]:
                parts.append((choice.get("delta") or {}).get("content") or "")
    return "".join(parts)


async def run_floor(target: str, calls: int, concurrency: int) -> dict[str, float]:
    url = f"http://{target}/v1/chat/completions"
    left = calls
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(_call(session, url) for _ in range(min(20, calls))))  # warm-up

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await _call(session, url)

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall, "calls": calls}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=800)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run_floor(args.target, args.calls, args.concurrency))), flush=True)
