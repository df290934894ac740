"""custom_script through a real server against a real local endpoint (FakeScript): the call an
allowed endpoint receives, and every refusal — addresses (127.0.0.1, 10.0.0.1, 169.254.169.254,
[::1], a host name resolving to loopback), redirects to them, URLs off the allow-list — plus the
size cap, the timeout, and secrets kept out of what the client sees.

The fake listens on loopback, so a test that calls it allows loopback explicitly
(FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS); every refusal test shows the fake received nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json

import grpc
import pytest
from google.protobuf.json_format import MessageToDict

from execution.custom_script import client as client_module
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fakes.fake_script import FakeScript
from tests.fixtures.servers import StartServer
from tests.steps.conftest import TOKEN, final_status, reason, run_served, script_services

SCENE = "A woman reads a newspaper in a café"
LOOPBACK = "127.0.0.0/8"


def one_node(**data: object) -> list:  # type: ignore[type-arg]
    return [pb_node("s", "custom_script", **data)]


async def test_an_allowed_endpoint_receives_inputs_and_parameters_and_its_reply_is_the_outputs(
        start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=f"{script.url}/", allowed_networks=LOOPBACK, token=TOKEN)
    events = await run_served(start_server, services, pb_request(
        [pb_node("scene", "initialPrompt", text=SCENE),
         pb_node("s", "custom_script", endpoint=f"{script.url}/run",
                 parameters={"format": "json", "strict": True, "count": 2}),
         pb_node("out", "textOutput")],
        [pb_edge("scene", "s", "topic"), pb_edge("s", "out", "")]))

    assert final_status(events, "s").status == events_pb2.NODE_STATUS_COMPLETE
    [received] = script.requests
    assert (received.method, received.path) == ("POST", "/run")
    run_id = events[-1].run_id
    assert received.json == {"inputs": {"topic": SCENE}, "parameters": {"format": "json", "strict": True, "count": 2},
                             "run_id": run_id, "node_id": "s"}
    assert b'"count":2' in received.body  # a whole number arrives as one, though the wire made it 2.0
    assert received.headers["Authorization"] == f"Bearer {TOKEN}"
    assert received.headers["Content-Type"] == "application/json"
    out = events[-1].run_completed.outputs["s"]
    assert MessageToDict(out)["values"] == {"echo": received.json, "answer": 42}


async def test_a_path_endpoint_is_appended_to_the_first_allowed_base(start_server: StartServer,
                                                                     script: FakeScript) -> None:
    services = script_services(allowed_urls=f"{script.url}/ https://scripts.example/", allowed_networks=LOOPBACK)
    events = await run_served(start_server, services, pb_request(one_node(custom_endpoint="/list"), []))
    assert final_status(events, "s").status == events_pb2.NODE_STATUS_COMPLETE
    assert [r.path for r in script.requests] == ["/list"]
    assert "Authorization" not in script.requests[0].headers  # no token configured, none sent
    assert MessageToDict(events[-1].run_completed.outputs["s"])["values"] == {"result": [1, 2, 3]}


@pytest.mark.parametrize(("host", "kind"), [
    ("127.0.0.1", "a loopback address"),
    ("10.0.0.1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("[::1]", "a loopback address"),
    ("0.0.0.0", "an unspecified address"),
])
async def test_private_loopback_and_link_local_addresses_are_refused(start_server: StartServer, script: FakeScript,
                                                                     host: str, kind: str) -> None:
    base = f"http://{host}:{script.port}"  # allow-listed: what refuses it is the address rule
    events = await run_served(start_server, script_services(allowed_urls=f"{base}/"),
                              pb_request(one_node(endpoint=f"{base}/run"), []))
    status = final_status(events, "s")
    assert (status.status, reason(status)) == (events_pb2.NODE_STATUS_ERROR, "INVALID_INPUT")
    assert f"'endpoint' {base}/run is {kind}" in status.message
    assert "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS" in status.message
    assert not script.requests


async def test_a_host_name_resolving_to_loopback_is_refused_unless_loopback_is_allowed(
        start_server: StartServer, script: FakeScript) -> None:
    base = f"http://localhost:{script.port}"
    events = await run_served(start_server, script_services(allowed_urls=base),
                              pb_request(one_node(endpoint=f"{base}/run"), []))
    status = final_status(events, "s")
    assert reason(status) == "INVALID_INPUT"
    assert f"'endpoint' {base}/run resolves to 127.0.0.1, a loopback address" in status.message
    assert not script.requests

    events = await run_served(start_server, script_services(allowed_urls=base, allowed_networks="127.0.0.1/32"),
                              pb_request(one_node(endpoint=f"{base}/run"), []))
    assert final_status(events, "s").status == events_pb2.NODE_STATUS_COMPLETE
    # Connected to the checked address, named to the server by its host name.
    assert script.requests[0].headers["Host"] == f"localhost:{script.port}"


async def test_the_call_goes_to_the_address_that_was_checked(start_server: StartServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A host is resolved once: the connection goes to the checked address (the URL names the IP,
    the Host header the name), so no later lookup can move it. `rebind.invalid` has no DNS
    answer at all; only the one lookup (replaced here) knows it."""
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address]:
        lookups.append(host)
        return [ipaddress.IPv4Address("127.0.0.2")]

    monkeypatch.setattr(client_module, "resolve", resolve)
    async with FakeScript(host="127.0.0.2") as script:
        base = f"http://rebind.invalid:{script.port}"
        services = script_services(allowed_urls=base, allowed_networks="127.0.0.2/32")
        events = await run_served(start_server, services, pb_request(one_node(endpoint=f"{base}/run"), []))
    assert final_status(events, "s").status == events_pb2.NODE_STATUS_COMPLETE
    assert lookups == ["rebind.invalid"]
    assert script.requests[0].headers["Host"] == f"rebind.invalid:{script.port}"


@pytest.mark.parametrize(("target", "refusal"), [
    ("http://127.0.0.1:{port}/run", "is a loopback address"),
    ("http://10.0.0.1:{port}/run", "is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "is a link-local address"),
    ("http://[::1]:{port}/run", "is a loopback address"),
    ("http://localhost:{port}/run", "resolves to 127.0.0.1, a loopback address"),
    ("https://elsewhere.example/run", "which is not under a base URL this server allows"),
])
async def test_a_redirect_to_a_refused_target_is_not_followed(start_server: StartServer, target: str,
                                                              refusal: str) -> None:
    async with FakeScript(host="127.0.0.2") as script:  # only this address is allowed
        target = target.format(port=script.port)
        bases = [f"{script.url}/", f"http://127.0.0.1:{script.port}/", f"http://10.0.0.1:{script.port}/",
                 "http://169.254.169.254/", f"http://[::1]:{script.port}/", f"http://localhost:{script.port}/"]
        services = script_services(allowed_urls=",".join(bases), allowed_networks="127.0.0.2/32")
        events = await run_served(start_server, services, pb_request(
            one_node(endpoint=f"{script.url}/redirect?to={target}"), []))
    status = final_status(events, "s")
    assert (status.status, reason(status)) == (events_pb2.NODE_STATUS_ERROR, "INVALID_INPUT")
    assert refusal in status.message and "redirect" in status.message
    assert [r.path.partition("?")[0] for r in script.requests] == ["/redirect"]


async def test_a_redirect_is_allowed_when_its_network_is(start_server: StartServer) -> None:
    async with FakeScript(host="127.0.0.2") as first, FakeScript() as second:
        services = script_services(allowed_urls=f"{first.url}/ {second.url}/",
                                   allowed_networks="127.0.0.2/32 127.0.0.1/32", token=TOKEN)
        events = await run_served(start_server, services, pb_request(
            one_node(endpoint=f"{first.url}/redirect?to={second.url}/run", parameters={"n": 1}), []))
        assert final_status(events, "s").status == events_pb2.NODE_STATUS_COMPLETE
        [followed] = second.requests
        assert followed.method == "POST" and followed.json["parameters"] == {"n": 1}  # 307: the same POST
        assert "Authorization" not in followed.headers  # the token stays with the endpoint's own origin
        assert first.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_redirects_are_bounded(start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK, max_redirects=2)
    events = await run_served(start_server, services, pb_request(one_node(endpoint=f"{script.url}/loop"), []))
    status = final_status(events, "s")
    assert reason(status) == "PROVIDER_ERROR" and "redirected more than 2 times" in status.message
    assert len(script.requests) == 3


@pytest.mark.parametrize("endpoint", ["{url}/apix", "{url}/api/../run", "{url}/api/%2e%2e/run", "ftp://x/api",
                                      "http://user:pw@127.0.0.1/api/run"])
async def test_urls_off_the_allow_list_are_refused_before_any_lookup(start_server: StartServer, script: FakeScript,
                                                                     endpoint: str) -> None:
    services = script_services(allowed_urls=f"{script.url}/api", allowed_networks=LOOPBACK)
    events = await run_served(start_server, services, pb_request(one_node(endpoint=endpoint.format(url=script.url)),
                                                                 []))
    status = final_status(events, "s")
    assert reason(status) == "INVALID_INPUT" and status.message.startswith("'endpoint' ")
    assert "pw" not in status.message
    assert not script.requests


async def test_without_allowed_urls_the_node_is_not_configured(start_server: StartServer,
                                                               script: FakeScript) -> None:
    events = await run_served(start_server, script_services(),
                              pb_request(one_node(endpoint=f"{script.url}/run"), []))
    status = final_status(events, "s")
    assert reason(status) == "NOT_CONFIGURED" and "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS" in status.message
    assert not script.requests


async def test_a_reply_over_the_size_cap_is_cut_off(start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK, max_response_bytes=100_000)
    events = await run_served(start_server, services, pb_request(one_node(endpoint=f"{script.url}/big"), []))
    status = final_status(events, "s")
    assert reason(status) == "PROVIDER_ERROR"
    assert f"custom_script {script.url}/big sent a reply larger than 100,000 bytes" in status.message
    for _ in range(500):  # the endless stream stops once the node hangs up
        if script.aborted:
            break
        await asyncio.sleep(0.01)
    assert script.aborted == 1


async def test_a_slow_endpoint_times_out(start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK)
    events = await run_served(start_server, services, pb_request(
        one_node(endpoint=f"{script.url}/slow", timeout=0.2), []))
    status = final_status(events, "s")
    assert (reason(status), status.retryable) == ("TIMEOUT", True)
    assert f"custom_script {script.url}/slow did not answer within 0.2 s" in status.message


async def test_a_reply_that_is_not_json_fails_the_node_alone(start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK)
    events = await run_served(start_server, services, pb_request(
        [*one_node(endpoint=f"{script.url}/text"), pb_node("other", "initialPrompt", text="fine")], []))
    assert "is not JSON" in final_status(events, "s").message
    assert final_status(events, "other").status == events_pb2.NODE_STATUS_COMPLETE


async def test_secrets_are_never_echoed(start_server: StartServer, script: FakeScript) -> None:
    query_key = "query-secret-4242424242"
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK, token=TOKEN)
    events = await run_served(start_server, services, pb_request(
        one_node(endpoint=f"{script.url}/fail?key={query_key}"), []))
    status = final_status(events, "s")
    assert (reason(status), status.retryable) == ("PROVIDER_ERROR", True)
    assert f"custom_script {script.url}/fail answered HTTP 500: broken; you sent Bearer [redacted]" in status.message
    assert script.requests[0].path == f"/fail?key={query_key}"  # the query was sent, never shown
    seen = b"".join(e.SerializeToString() for e in events)
    assert TOKEN.encode() not in seen and query_key.encode() not in seen


async def test_a_dry_run_checks_the_endpoint_and_sends_nothing(start_server: StartServer, script: FakeScript) -> None:
    services = script_services(allowed_urls=script.url, allowed_networks=LOOPBACK)
    events = await run_served(start_server, services, pb_request(
        one_node(endpoint=f"{script.url}/run", parameters={"a": 1, "b": 1.5}), [], dry_run=True))
    [call] = events[-1].run_completed.outputs["s"].provider_calls
    assert (call.provider_id, call.model, call.purpose) == ("custom_script", f"{script.url}/run", "custom-script")
    sent = json.loads(call.messages[0].content)
    assert sent["parameters"] == {"a": 1, "b": 1.5} and '"a": 1.0' not in call.messages[0].content  # whole: an int
    assert not script.requests


async def test_a_missing_endpoint_is_invalid_argument_naming_node_and_field(start_server: StartServer) -> None:
    services = script_services()
    target = await start_server(Engine(builtin_registry(), services))
    async with FlowClient(target) as client:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            [e async for e in client.execute_flow(pb_request(one_node(parameters={"a": 1}), []), timeout=10)]
    await services.aclose()
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "nodes[0].data.endpoint" in (raised.value.details() or "")
