"""The gRPC floor: a bare grpc.aio server streaming NodeEvents with no engine behind it.

Service `flowexec.bench.v1.Floor`, method `Stream`, registered through a generic handler
(no codegen). The request is a tiny JSON document; the responses are the very same
`ExecuteFlowResponse` messages flowexec sends, built the cheapest way: one NodeEvent per
event, packed into messages of the sizes asked for. Run as `python -m bench.grpc_floor`.

Request: {"batches": [events per message, ...], "sleeps": [seconds before each message, ...]
(optional), "interval": seconds before every message (optional), "text": false}. With "text",
events are TextDeltas stamped with their emit time (token latency).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2

SERVICE = "flowexec.bench.v1.Floor"
METHOD = f"/{SERVICE}/Stream"
_COMPLETE = events_pb2.NODE_STATUS_COMPLETE


def _event(seq: int, text: bool) -> events_pb2.NodeEvent:
    event = events_pb2.NodeEvent(run_id="floor", seq=seq)
    event.time.FromNanoseconds(time.time_ns())
    if text:
        event.text_delta.node_id = "n0"
        event.text_delta.chunk = f"token {seq} "
    else:
        event.node_status.node_id = f"n{seq}"
        event.node_status.status = _COMPLETE
    return event


async def stream(request: dict[str, Any], context: grpc.aio.ServicerContext) -> AsyncIterator[
        flow_service_pb2.ExecuteFlowResponse]:
    batches = request["batches"]
    sleeps = request.get("sleeps") or [float(request.get("interval", 0.0))] * len(batches)
    text = bool(request.get("text", False))
    seq = 0
    for size, pause in zip(batches, sleeps, strict=True):
        if pause:
            await asyncio.sleep(pause)
        events = []
        for _ in range(size):
            seq += 1
            events.append(_event(seq, text))
        yield flow_service_pb2.ExecuteFlowResponse(events=events)


def handler() -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(SERVICE, {
        "Stream": grpc.unary_stream_rpc_method_handler(
            stream, request_deserializer=json.loads,
            response_serializer=flow_service_pb2.ExecuteFlowResponse.SerializeToString),
    })


def open_stream(channel: grpc.aio.Channel, request: dict[str, Any]) -> grpc.aio.UnaryStreamCall:
    call = channel.unary_stream(METHOD, request_serializer=lambda r: json.dumps(r).encode(),
                                response_deserializer=flow_service_pb2.ExecuteFlowResponse.FromString)
    return call(request)


async def _serve() -> None:
    server = grpc.aio.server(options=[("grpc.max_send_message_length", 64 * 1024 * 1024),
                                      ("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"floor listening on 127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(0)


if __name__ == "__main__":
    asyncio.run(_serve())
