"""Ten thousand fuzzed ExecuteFlow payloads over a real channel: every one is answered OK,
INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for a real size limit — never UNKNOWN or INTERNAL — and
the server's log holds only short, escaped lines, without a traceback.

FLOWEXEC_FUZZ_REQUESTS sets the count (10,000 by default, which CI runs) and
FLOWEXEC_FUZZ_SEED the seed (a failure prints the seed and the payload's index to replay it).
"""

from __future__ import annotations

import asyncio
import collections
import os
import time

import grpc

from tests.fixtures.server_log import ServerLog, assert_trustworthy
from tests.server.fuzz_requests import Fuzzer
from tests.server.test_bad_input import EXECUTE_FLOW

REQUESTS = int(os.environ.get("FLOWEXEC_FUZZ_REQUESTS", "10000"))
SEED = int(os.environ.get("FLOWEXEC_FUZZ_SEED", "9"))
IN_FLIGHT = 48
ALLOWED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED}
MAX_LOG_LINE_BYTES = 2048


async def test_fuzzed_requests_get_only_expected_statuses_and_short_log_lines(start_server, server_log: ServerLog) -> None:
    target = await start_server()
    fuzzer = Fuzzer(SEED)
    payloads = [fuzzer.payload() for _ in range(REQUESTS)]
    codes: collections.Counter[grpc.StatusCode] = collections.Counter()
    surprises: list[str] = []
    started = time.monotonic()
    async with grpc.aio.insecure_channel(target) as channel:  # default client settings
        method = channel.unary_stream(EXECUTE_FLOW, request_serializer=None, response_deserializer=None)
        next_index = iter(range(len(payloads)))

        async def worker() -> None:
            for i in next_index:
                try:
                    async for _ in method(payloads[i], timeout=20):
                        pass
                    code = grpc.StatusCode.OK
                except grpc.aio.AioRpcError as err:
                    code = err.code()
                    if code not in ALLOWED:
                        surprises.append(f"payload {i} (seed {SEED}): {code.name}: {err.details()[:300]}")
                codes[code] += 1

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    elapsed = time.monotonic() - started
    print(f"{REQUESTS} fuzzed requests in {elapsed:.1f} s: { {c.name: n for c, n in codes.items()} }")

    assert surprises == []
    assert sum(codes.values()) == REQUESTS
    assert codes[grpc.StatusCode.OK] > REQUESTS // 20 and codes[grpc.StatusCode.INVALID_ARGUMENT] > REQUESTS // 4
    lines = server_log.lines()
    assert len(lines) >= REQUESTS // 2
    assert_trustworthy(server_log)
    too_long = [line[:200] for line in lines if len(line.encode()) > MAX_LOG_LINE_BYTES]
    assert too_long == []
    assert [line[:300] for line in lines if " ERROR " in line or "Traceback" in line] == []
