"""BCS, type tags, arguments and transactions, checked against the Aptos SDK's validated corpus
(aptos-sdk 0.11.0, transactions.py `test_entry_function_with_corpus`: keys, inputs and the raw
and signed transactions it expects)."""

from __future__ import annotations

from typing import Any

import pytest

from execution.aptos.arguments import ArgumentError, decode_argument, encode_argument
from execution.aptos.bcs import BcsError, Deserializer, Serializer
from execution.aptos.move_types import format_address, parse_address, parse_function, parse_type
from execution.aptos.signer import Ed25519Account
from execution.aptos.transactions import EntryFunction, RawTransaction
from execution.errors import NotConfiguredError

SENDER_KEY = "9bf49a6a0755f953811fce125f2683d50429c3bb49e074147e0089a52eae155f"
RECEIVER_KEY = "0564f879d27ae3c02ce82834acfa8c793a629f2ca0de6919610be82f411326be"
CORPUS_RAW = (
    "7deeccb1080854f499ec8b4c1b213b82c5e34b925cf6875fec02d4b77adbd2d60b00000000000000020000000000000000000000000000"
    "00000000000000000000000000000000000104636f696e087472616e73666572010700000000000000000000000000000000000000000000"
    "000000000000000000010a6170746f735f636f696e094170746f73436f696e0002202d133ddd281bb6205558357cc6ac75661817e9aae"
    "ac3afebc32842759cbf7fa9088813000000000000d0070000000000000100000000000000d20296490000000004")
CORPUS_SIGNED = CORPUS_RAW + (
    "0020b9c6ee1630ef3e711144a648db06bbb2284f7274cfbee53ffcee503cc1a4920040f25b74ec60a38a1ed780fd2bef6ddb6eb4356e3ab"
    "39276c9176cdf0fcae2ab37d79b626abb43d926e91595b66503a4a3c90acbae36a28d405e308f3537af720b")


def corpus_transaction() -> tuple[RawTransaction, Ed25519Account]:
    sender, receiver = Ed25519Account.from_hex(SENDER_KEY), Ed25519Account.from_hex("0x" + RECEIVER_KEY)
    address, module, function = parse_function("0x1::coin::transfer")
    args = (encode_argument(parse_type("address"), format_address(receiver.address), "arguments[0]"),
            encode_argument(parse_type("u64"), 5000, "arguments[1]"))
    payload = EntryFunction(address, module, function, (parse_type("0x1::aptos_coin::AptosCoin"),), args)
    return RawTransaction(sender.address, 11, payload, 2000, 1, 1234567890, 4), sender


def test_a_transaction_encodes_to_the_sdk_corpus_and_signs_to_its_signed_form() -> None:
    txn, sender = corpus_transaction()
    assert txn.to_bcs().hex() == CORPUS_RAW
    assert txn.signed(sender.public_key, sender.sign(txn.signing_message())).hex() == CORPUS_SIGNED


def test_a_transaction_decodes_back_to_the_same_transaction() -> None:
    txn, _ = corpus_transaction()
    back = RawTransaction.from_bcs(bytes.fromhex(CORPUS_RAW))
    assert back == txn
    assert back.json([parse_type("address"), parse_type("u64")])["payload"] == {
        "type": "entry_function_payload",
        "function": "0x1::coin::transfer",
        "type_arguments": ["0x1::aptos_coin::AptosCoin"],
        "arguments": ["0x2d133ddd281bb6205558357cc6ac75661817e9aaeac3afebc32842759cbf7fa9", "5000"],
    }
    with pytest.raises(BcsError, match="1 bytes left over"):
        RawTransaction.from_bcs(bytes.fromhex(CORPUS_RAW + "00"))
    with pytest.raises(BcsError):
        RawTransaction.from_bcs(bytes.fromhex(CORPUS_RAW[:-4]))


@pytest.mark.parametrize(("type_text", "value", "decoded"), [
    ("bool", True, True),
    ("bool", "false", False),
    ("u8", 255, 255),
    ("u16", "65535", 65535),
    ("u64", "18446744073709551615", "18446744073709551615"),
    ("u128", 3.0, "3"),
    ("u256", str(2**256 - 1), str(2**256 - 1)),
    ("address", "0x1", "0x1"),
    ("address", "0xA", "0xa"),
    ("address", "0x" + "ab" * 32, "0x" + "ab" * 32),
    ("vector<u8>", "0xcafe", "0xcafe"),
    ("vector<u8>", [1, 2], "0x0102"),
    ("vector<address>", ["0x1", "0x2"], ["0x1", "0x2"]),
    ("vector<vector<u64>>", [[1], []], [["1"], []]),
    ("0x1::string::String", "héllo", "héllo"),
    ("0x1::option::Option<u64>", None, None),
    ("0x1::option::Option<u64>", 7, "7"),
    ("0x1::object::Object<0x1::fungible_asset::Metadata>", "0xa", "0xa"),
])
def test_arguments_round_trip_by_their_move_type(type_text: str, value: Any, decoded: Any) -> None:
    tag = parse_type(type_text)
    assert decode_argument(tag, encode_argument(tag, value, "arguments[0]")) == decoded


@pytest.mark.parametrize(("type_text", "value", "message"), [
    ("u8", 256, "arguments[0] must be a whole number from 0 to 2^8-1 (u8), not 256"),
    ("u64", -1, "arguments[0] must be a whole number from 0 to 2^64-1 (u64), not -1"),
    ("u64", 1.5, "(u64), not 1.5"),
    ("u64", True, "(u64), not True"),
    ("address", "0xzz", "arguments[0]: '0xzz' is not an account address"),
    ("vector<u8>", "cafe", "arguments[0] must be 0x-prefixed hex bytes"),
    ("vector<u64>", 3, "arguments[0] must be a list (vector<u64>)"),
    ("vector<u64>", [1, "x"], "arguments[0][1] must be a whole number"),
    ("signer", "0x1", "a signer cannot be passed as an argument"),
    ("0x1::coin::Coin<0x1::aptos_coin::AptosCoin>", {}, "cannot be passed as an argument"),
])
def test_an_argument_that_does_not_fit_its_type_is_named(type_text: str, value: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=None) as caught:
        encode_argument(parse_type(type_text), value, "arguments[0]")
    assert message in str(caught.value)


@pytest.mark.parametrize("text", [
    "u8", "vector<u8>", "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>",
    "0x1::pair::Pair<vector<address>, 0x1::option::Option<u64>>",
    "0x" + "cd" * 32 + "::m::S",
])
def test_type_tags_parse_print_and_round_trip_in_bcs(text: str) -> None:
    tag = parse_type(text)
    assert str(tag) == text
    out = Serializer()
    tag.serialize(out)
    data = Deserializer(out.output())
    assert type(tag).deserialize(data) == tag
    data.done()


@pytest.mark.parametrize("text", ["", "vector", "vector<u8", "u8>", "0x1::coin", "0x1::coin::", "0xzz::m::S", "u8 u8"])
def test_text_that_is_not_a_type_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a Move type|not an account address|vector takes"):
        parse_type(text)


def test_addresses_print_in_aip_40_form() -> None:
    assert format_address(parse_address("0x01")) == "0x1"
    assert format_address(parse_address("0xf")) == "0xf"
    assert format_address(parse_address("0x10")) == "0x" + "0" * 62 + "10"
    assert parse_address("0x" + "0" * 63 + "1") == parse_address("1")
    with pytest.raises(ValueError):
        parse_address("0x" + "1" * 65)


def test_uleb128_lengths() -> None:
    for value, encoded in [(0, "00"), (127, "7f"), (128, "8001"), (16384, "808001"), (2**32 - 1, "ffffffff0f")]:
        out = Serializer()
        out.uleb128(value)
        assert out.output().hex() == encoded
        assert Deserializer(bytes.fromhex(encoded)).uleb128() == value


def test_a_private_key_that_is_not_one_is_refused_without_quoting_it() -> None:
    assert Ed25519Account.from_hex("ed25519-priv-0x" + SENDER_KEY).address == Ed25519Account.from_hex(SENDER_KEY).address
    with pytest.raises(NotConfiguredError) as caught:
        Ed25519Account.from_hex("not-a-key-" + SENDER_KEY[:20])
    assert caught.value.message == "APTOS_PRIVATE_KEY is not an Ed25519 private key (64 hex digits)"
