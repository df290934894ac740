"""Entry-function arguments: JSON values encoded to BCS by their Move type, and decoded back.

A transaction carries each argument as the BCS bytes of its value; only the function's types
say how to write them. JSON in (what a flow holds):

    bool                      true / false ("true" / "false")
    u8 … u256                 a whole number, or its decimal string (u64 and up: prefer the
                              string, JSON numbers lose precision past 2^53)
    address, Object<T>        "0x…"
    0x1::string::String       a string
    vector<u8>                "0x…" hex, or a list of bytes
    vector<T>                 a list
    0x1::option::Option<T>    null, or the value

Decoded back, the JSON is Aptos's own: u64, u128 and u256 as decimal strings, addresses in
AIP-40 form, vector<u8> as hex. A value that does not fit its type is ArgumentError naming the
argument.
"""

from __future__ import annotations

from typing import Any

from execution.aptos.bcs import Deserializer, Serializer
from execution.aptos.move_types import TypeTag, format_address, parse_address

_WIDTHS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64, "u128": 128, "u256": 256}
# Decoded as JSON numbers; wider integers are decimal strings (Aptos's JSON).
_NUMBER_WIDTHS = {"u8", "u16", "u32"}


class ArgumentError(ValueError):
    """A JSON value that cannot be written as its Move type."""


def encode_argument(tag: TypeTag, value: Any, where: str) -> bytes:
    out = Serializer()
    _write(out, tag, value, where)
    return out.output()


def decode_argument(tag: TypeTag, data: bytes) -> Any:
    reader = Deserializer(data)
    value = _read(reader, tag)
    reader.done()
    return value


def _write(out: Serializer, tag: TypeTag, value: Any, where: str) -> None:
    kind = tag.kind
    if kind == "bool":
        out.bool(_bool(value, where))
    elif kind in _WIDTHS:
        out.uint(_integer(value, _WIDTHS[kind], where), _WIDTHS[kind])
    elif kind == "address":
        out.fixed_bytes(_address(value, where))
    elif kind == "vector":
        assert tag.element is not None
        if tag.element.kind == "u8" and isinstance(value, str):
            out.bytes(_hex(value, where))
            return
        if not isinstance(value, list):
            raise ArgumentError(f"{where} must be a list ({tag})")
        out.uleb128(len(value))
        for i, item in enumerate(value):
            _write(out, tag.element, item, f"{where}[{i}]")
    elif kind == "struct":
        _write_struct(out, tag, value, where)
    else:
        raise ArgumentError(f"{where}: a {tag} cannot be passed as an argument")


def _write_struct(out: Serializer, tag: TypeTag, value: Any, where: str) -> None:
    struct = tag.struct
    assert struct is not None
    if struct.is_(1, "string", "String"):
        if not isinstance(value, str):
            raise ArgumentError(f"{where} must be a string")
        out.str(value)
    elif struct.is_(1, "object", "Object"):
        out.fixed_bytes(_address(value, where))
    elif struct.is_(1, "option", "Option") and len(struct.type_args) == 1:
        if value is None:
            out.uleb128(0)
        else:
            out.uleb128(1)
            _write(out, struct.type_args[0], value, where)
    else:
        raise ArgumentError(f"{where}: a {tag} cannot be passed as an argument")


def _read(data: Deserializer, tag: TypeTag) -> Any:
    kind = tag.kind
    if kind == "bool":
        return data.bool()
    if kind in _WIDTHS:
        number = data.uint(_WIDTHS[kind])
        return number if kind in _NUMBER_WIDTHS else str(number)
    if kind == "address":
        return format_address(data.fixed_bytes(32))
    if kind == "vector":
        assert tag.element is not None
        if tag.element.kind == "u8":
            return "0x" + data.bytes().hex()
        element = tag.element
        return data.sequence(lambda d: _read(d, element))
    struct = tag.struct
    assert struct is not None
    if struct.is_(1, "string", "String"):
        return data.str()
    if struct.is_(1, "object", "Object"):
        return format_address(data.fixed_bytes(32))
    if struct.is_(1, "option", "Option") and len(struct.type_args) == 1:
        items = data.sequence(lambda d: _read(d, struct.type_args[0]))
        if len(items) > 1:
            raise ArgumentError(f"an Option holding {len(items)} values")
        return items[0] if items else None
    raise ArgumentError(f"a {tag} is not an argument type")


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ArgumentError(f"{where} must be true or false")


def _integer(value: Any, bits: int, where: str) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number < 2**bits:
        raise ArgumentError(f"{where} must be a whole number from 0 to 2^{bits}-1 (u{bits}), not {value!r}")
    return number


def _address(value: Any, where: str) -> bytes:
    try:
        return parse_address(value)
    except ValueError as exc:
        raise ArgumentError(f"{where}: {exc}") from None


def _hex(value: str, where: str) -> bytes:
    digits = value[2:] if value[:2].lower() == "0x" else None
    try:
        if digits is None:
            raise ValueError
        return bytes.fromhex(digits)
    except ValueError:
        raise ArgumentError(f"{where} must be 0x-prefixed hex bytes (vector<u8>) or a list of bytes") from None
