"""aptos_read and aptos_build_transaction through the real gRPC server against a fake Aptos
fullnode (a real HTTP server speaking REST v1): reads, pages, retries, the node's errors, a built
transaction that decodes back to the payload it was given, and submitting only when the server
allows it and the node asks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from execution.aptos.client import AptosClient
from execution.aptos.move_types import format_address, parse_type
from execution.aptos.settings import AptosSettings
from execution.aptos.signer import Ed25519Account
from execution.aptos.transactions import SALT_LENGTH, RawTransaction
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.elements.links import Seen, pb_link, pb_node, request
from tests.fakes.fake_aptos import APT, FakeAptosNode
from tests.fixtures.servers import StartServer

COMPLETE, ERROR = events_pb2.NODE_STATUS_COMPLETE, events_pb2.NODE_STATUS_ERROR
ALICE = "0x" + "a1" * 32
BOB = "0x" + "b0" * 32
SERVER_KEY = "9bf49a6a0755f953811fce125f2683d50429c3bb49e074147e0089a52eae155f"
SERVER_ACCOUNT = format_address(Ed25519Account.from_hex(SERVER_KEY).address)
TRANSFER_ABI = {"address": "0x1", "name": "aptos_account", "friends": [], "structs": [], "exposed_functions": [
    {"name": "transfer", "visibility": "public", "is_entry": True, "is_view": False, "generic_type_params": [],
     "params": ["&signer", "address", "u64"], "return": []},
    {"name": "transfer_coins", "visibility": "public", "is_entry": True, "is_view": False,
     "generic_type_params": [{"constraints": []}], "params": ["&signer", "address", "u64"], "return": []},
    {"name": "assert_account_exists", "visibility": "public", "is_entry": False, "is_view": False,
     "generic_type_params": [], "params": ["address"], "return": []},
]}


@pytest.fixture
async def fake_aptos() -> AsyncIterator[FakeAptosNode]:
    async with FakeAptosNode(page_size=2) as node:
        alice = node.account_at(ALICE)
        alice.sequence_number = 11
        alice.resources = [
            {"type": "0x1::account::Account", "data": {"sequence_number": "11", "authentication_key": ALICE}},
            {"type": f"0x1::coin::CoinStore<{APT}>", "data": {"coin": {"value": "4200"}, "frozen": False}},
            {"type": "0x1::object::ObjectCore", "data": {"allow_ungated_transfer": True}},
        ]
        node.account_at(SERVER_ACCOUNT).sequence_number = 3
        node.modules[("0x" + "0" * 63 + "1", "aptos_account")] = TRANSFER_ABI
        node.views["0x1::coin::balance"] = lambda types, args: ["4200"] if types == [APT] and args == [ALICE] else ["0"]
        node.views["0x1::fungible_asset::name"] = lambda types, args: [f"name of {args[0]}"]
        yield node


Connect = Callable[..., Any]


@pytest.fixture
def connect(start_server: StartServer, fake_aptos: FakeAptosNode) -> Connect:
    """`async with await connect(**settings) as client`: a real server whose Aptos client points at
    the fake (reads retried at once)."""
    async def open_client(**settings: Any) -> FlowClient:
        values = {"node_url": fake_aptos.url, "initial_backoff": 0.0, **settings}
        aptos = AptosClient(AptosSettings.explicit(**values))
        services = Services.from_settings(Services().provider_settings, aptos=aptos)
        return FlowClient(await start_server(Engine(builtin_registry(), services)))
    return open_client


async def run(client: FlowClient, nodes: list[Any], edges: list[Any] | None = None, **options: Any) -> Seen:
    async with client:
        return Seen([e async for e in client.execute_flow(request(nodes, edges or [], **options))])


async def test_reads_resources_across_pages_one_resource_a_balance_and_a_view(connect: Connect,
                                                                               fake_aptos: FakeAptosNode) -> None:
    nodes = [pb_node("all", "aptos_read", query="resources", address=ALICE),
             pb_node("one", "aptos_read", query="resource", address=ALICE, resource_type="0x1::account::Account"),
             pb_node("apt", "aptos_read", query="balance", address=ALICE),
             pb_node("name", "aptos_read", query="view", function="0x1::fungible_asset::name",
                     type_arguments=["0x1::fungible_asset::Metadata"], arguments=["0xa"])]
    seen = await run(await connect(), nodes)
    assert [r["type"] for r in seen.value("all", "value")] == [
        "0x1::account::Account", f"0x1::coin::CoinStore<{APT}>", "0x1::object::ObjectCore"]
    assert fake_aptos.count("GET", f"/v1/accounts/{ALICE}/resources") == 2  # two pages
    assert seen.value("one", "value")["data"]["sequence_number"] == "11"
    assert seen.value("apt", "value") == "4200" and seen.output["apt"].text == "4200"
    assert seen.value("name", "value") == ["name of 0xa"]


async def test_the_address_can_come_from_an_input(connect: Connect) -> None:
    nodes = [pb_node("who", "data_block", value=ALICE), pb_node("apt", "aptos_read", query="balance")]
    seen = await run(await connect(), nodes, [pb_link("who", "apt", "value", "address")])
    assert seen.value("apt", "value") == "4200"


async def test_the_nodes_errors_end_the_node_with_its_words(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    nodes = [pb_node("ghost", "aptos_read", query="balance", address=BOB),
             pb_node("nores", "aptos_read", query="resource", address=ALICE, resource_type="0x1::m::Nope"),
             pb_node("nobody", "aptos_read", query="resources", address=BOB)]
    seen = await run(await connect(), nodes)
    assert seen.status("ghost") == COMPLETE and seen.value("ghost", "value") == "0"  # the view answers 0
    nores, nobody = seen.final["nores"], seen.final["nobody"]
    assert (nores.status, nores.reason, nores.retryable) == (ERROR, events_pb2.STATUS_REASON_PROVIDER_ERROR, False)
    assert nores.message.startswith("aptos node: resource failed (HTTP 404, resource_not_found): Resource not found")
    assert nobody.message.startswith("aptos node: resources failed (HTTP 404, account_not_found): Account not found")


async def test_a_read_is_retried_past_a_503(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    fake_aptos.fail_next(503, times=2)
    seen = await run(await connect(), [pb_node("one", "aptos_read", query="resource", address=ALICE,
                                               resource_type="0x1::account::Account")])
    assert seen.status("one") == COMPLETE
    assert fake_aptos.count("GET", f"/v1/accounts/{ALICE}/resource/") == 3


async def test_without_a_node_url_the_aptos_nodes_are_not_configured(connect: Connect) -> None:
    seen = await run(await connect(node_url=None), [pb_node("apt", "aptos_read", query="balance", address=ALICE)])
    apt = seen.final["apt"]
    assert (apt.status, apt.reason) == (ERROR, events_pb2.STATUS_REASON_NOT_CONFIGURED)
    assert apt.message == "no Aptos node is configured: set APTOS_NODE_URL"


async def test_a_built_transaction_decodes_back_to_its_payload(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    build = pb_node("tx", "aptos_build_transaction", function="0x1::aptos_account::transfer", sender=ALICE,
                    arguments=[BOB, "1000000"], max_gas_amount=2000, gas_unit_price=150)
    seen = await run(await connect(), [build])
    assert seen.status("tx") == COMPLETE, seen.final["tx"].message
    raw_hex = seen.value("tx", "raw_transaction_bcs")
    txn = RawTransaction.from_bcs(bytes.fromhex(raw_hex.removeprefix("0x")))
    assert (format_address(txn.sender), txn.sequence_number, txn.chain_id) == (ALICE, 11, 4)
    assert (txn.max_gas_amount, txn.gas_unit_price) == (2000, 150)
    assert txn.payload.name == "0x1::aptos_account::transfer" and txn.payload.type_args == ()
    types = [parse_type("address"), parse_type("u64")]
    assert txn.payload.json(types)["arguments"] == [BOB, "1000000"]
    assert seen.value("tx", "transaction") == txn.json(types)
    assert seen.value("tx", "signing_message") == "0x" + txn.signing_message().hex()
    assert seen.value("tx", "signing_message")[2:2 + 2 * SALT_LENGTH] == txn.signing_message()[:SALT_LENGTH].hex()
    assert seen.value("tx", "hash") is None and not fake_aptos.count("POST", "/v1/transactions")


async def test_generic_functions_take_their_type_arguments_and_explicit_types_skip_the_abi(
        connect: Connect, fake_aptos: FakeAptosNode) -> None:
    nodes = [pb_node("generic", "aptos_build_transaction", function="0x1::aptos_account::transfer_coins",
                     type_arguments=[APT], sender=ALICE, arguments=[BOB, 5]),
             pb_node("typed", "aptos_build_transaction", function="0xcafe::game::play", sender=ALICE,
                     argument_types=["0x1::string::String", "vector<u8>"], arguments=["rock", "0x01"],
                     sequence_number=99, chain_id=2)]
    seen = await run(await connect(), nodes)
    generic = seen.value("generic", "transaction")["payload"]
    assert generic["type_arguments"] == [APT] and generic["arguments"] == [BOB, "5"]
    typed = seen.value("typed", "transaction")
    assert (typed["sequence_number"], typed["chain_id"], typed["payload"]["arguments"]) == ("99", 2, ["rock", "0x01"])
    assert fake_aptos.count("GET", "/v1/accounts/0xcafe") == 0  # no ABI, no account, no ledger for it


@pytest.mark.parametrize(("settings", "message"), [
    ({"arguments": [BOB]}, "0x1::aptos_account::transfer takes 2 arguments (address, u64), not 1"),
    ({"arguments": [BOB, "lots"]}, "arguments[1] must be a whole number from 0 to 2^64-1 (u64), not 'lots'"),
    ({"function": "0x1::aptos_account::assert_account_exists", "arguments": [BOB]},
     "0x1::aptos_account::assert_account_exists is not an entry function"),
    ({"function": "0x1::aptos_account::nope", "arguments": []}, "module 0x1::aptos_account has no function nope"),
])
async def test_a_transaction_that_cannot_be_built_names_why(connect: Connect, settings: dict[str, Any],
                                                            message: str) -> None:
    data = {"function": "0x1::aptos_account::transfer", "sender": ALICE, **settings}
    seen = await run(await connect(), [pb_node("tx", "aptos_build_transaction", **data)])
    assert (seen.status("tx"), seen.reason("tx")) == (ERROR, events_pb2.STATUS_REASON_INVALID_INPUT)
    assert seen.final["tx"].message == message


TRANSFER = {"function": "0x1::aptos_account::transfer", "arguments": [BOB, "77"], "submit": True}


async def test_submitting_is_refused_unless_the_server_allows_it(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    refused = await run(await connect(private_key=SERVER_KEY), [pb_node("tx", "aptos_build_transaction", **TRANSFER)])
    assert (refused.status("tx"), refused.reason("tx")) == (ERROR, events_pb2.STATUS_REASON_NOT_CONFIGURED)
    assert refused.final["tx"].message == ("submitting Aptos transactions is off on this server "
                                           "(FLOWEXEC_APTOS_ALLOW_SUBMIT=true turns it on)")
    keyless = await run(await connect(allow_submit=True), [pb_node("tx", "aptos_build_transaction", **TRANSFER)])
    assert keyless.final["tx"].message == "submitting needs the server's key: set APTOS_PRIVATE_KEY"
    assert not fake_aptos.count("POST", "/v1/transactions")


async def test_an_allowed_submission_is_signed_verified_and_waited_for(connect: Connect,
                                                                       fake_aptos: FakeAptosNode) -> None:
    seen = await run(await connect(private_key=SERVER_KEY, allow_submit=True),
                     [pb_node("tx", "aptos_build_transaction", **TRANSFER)])
    assert seen.status("tx") == COMPLETE, seen.final["tx"].message
    assert seen.value("tx", "transaction")["sender"] == SERVER_ACCOUNT  # no sender given: the server's own
    assert seen.value("tx", "hash") in fake_aptos.transactions  # the fake checked the signature
    assert (seen.value("tx", "committed"), seen.value("tx", "success"), seen.value("tx", "version")) == (True, True, "101")
    assert fake_aptos.account_at(SERVER_ACCOUNT).sequence_number == 4
    assert SERVER_KEY not in str(seen.events)


async def test_a_submission_is_only_for_the_servers_own_account(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    seen = await run(await connect(private_key=SERVER_KEY, allow_submit=True),
                     [pb_node("tx", "aptos_build_transaction", sender=ALICE, **TRANSFER)])
    assert (seen.status("tx"), seen.reason("tx")) == (ERROR, events_pb2.STATUS_REASON_INVALID_INPUT)
    assert seen.final["tx"].message == (f"sender {ALICE} is not the server's account {SERVER_ACCOUNT}, the only one "
                                        "it can submit for")
    assert not fake_aptos.count("POST", "/v1/transactions")


async def test_a_dry_run_asks_the_node_nothing(connect: Connect, fake_aptos: FakeAptosNode) -> None:
    nodes = [pb_node("apt", "aptos_read", query="balance", address=ALICE),
             pb_node("tx", "aptos_build_transaction", function="0x1::aptos_account::transfer", sender=ALICE,
                     arguments=[BOB, 1])]
    seen = await run(await connect(), nodes, dry_run=True)
    assert seen.status("apt") == COMPLETE and seen.output["apt"].dry_run
    assert seen.value("apt", "value") == {"dry_run": f"GET {fake_aptos.url}/v1/accounts/{ALICE} balance"}
    assert seen.status("tx") == COMPLETE
    assert fake_aptos.requests == []
