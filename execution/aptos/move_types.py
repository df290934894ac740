"""Move's vocabulary as Aptos spells it: account addresses and type tags, parsed from text,
written in BCS and read back.

Addresses (AIP-40): 32 bytes, written `0x` + 64 hex digits, except the special addresses 0x0 to
0xf, written short (`0x1`); parsing accepts the short form of any address (left-padded).
Type tags: `bool`, `u8` … `u256`, `address`, `signer`, `vector<T>`, and structs
`0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>`; a leading `&` / `&mut` (ABI parameters) is
dropped. Errors are ValueError with a message naming the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from execution.aptos.bcs import BcsError, Deserializer, Serializer

ADDRESS_LENGTH = 32

_PRIMITIVES = {"bool": 0, "u8": 1, "u64": 2, "u128": 3, "address": 4, "signer": 5, "u16": 8, "u32": 9, "u256": 10}
_VECTOR, _STRUCT = 6, 7
_BY_VARIANT = {v: k for k, v in _PRIMITIVES.items()}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\s*(::|<|>|,|[A-Za-z0-9_]+)")


def parse_address(text: str) -> bytes:
    value = text.strip() if isinstance(text, str) else ""
    digits = value[2:] if value[:2].lower() == "0x" else value
    if not digits or len(digits) > 2 * ADDRESS_LENGTH or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError(f"{text!r} is not an account address (0x and up to 64 hex digits)")
    return bytes.fromhex(digits.rjust(2 * ADDRESS_LENGTH, "0"))


def format_address(address: bytes) -> str:
    if address[:-1] == bytes(ADDRESS_LENGTH - 1) and address[-1] < 0x10:
        return f"0x{address[-1]:x}"
    return "0x" + address.hex()


@dataclass(frozen=True, slots=True)
class StructTag:
    address: bytes
    module: str
    name: str
    type_args: tuple[TypeTag, ...] = ()

    def __str__(self) -> str:
        args = f"<{', '.join(str(a) for a in self.type_args)}>" if self.type_args else ""
        return f"{format_address(self.address)}::{self.module}::{self.name}{args}"

    def is_(self, address: int, module: str, name: str) -> bool:
        return (self.address, self.module, self.name) == (address.to_bytes(ADDRESS_LENGTH, "big"), module, name)


@dataclass(frozen=True, slots=True)
class TypeTag:
    # A primitive's name, "vector" or "struct".
    kind: str
    element: TypeTag | None = None
    struct: StructTag | None = None

    def __str__(self) -> str:
        if self.kind == "vector":
            return f"vector<{self.element}>"
        if self.kind == "struct":
            return str(self.struct)
        return self.kind

    def serialize(self, out: Serializer) -> None:
        if self.kind == "vector":
            assert self.element is not None
            out.uleb128(_VECTOR)
            self.element.serialize(out)
        elif self.kind == "struct":
            assert self.struct is not None
            out.uleb128(_STRUCT)
            out.fixed_bytes(self.struct.address)
            out.str(self.struct.module)
            out.str(self.struct.name)
            out.sequence(self.struct.type_args, lambda o, t: t.serialize(o))
        else:
            out.uleb128(_PRIMITIVES[self.kind])

    @staticmethod
    def deserialize(data: Deserializer) -> TypeTag:
        variant = data.uleb128()
        if variant in _BY_VARIANT:
            return TypeTag(_BY_VARIANT[variant])
        if variant == _VECTOR:
            return TypeTag("vector", element=TypeTag.deserialize(data))
        if variant == _STRUCT:
            address = data.fixed_bytes(ADDRESS_LENGTH)
            module, name = data.str(), data.str()
            return TypeTag("struct", struct=StructTag(address, module, name, tuple(data.sequence(TypeTag.deserialize))))
        raise BcsError(f"type tag variant {variant} is unknown")


def parse_type(text: str) -> TypeTag:
    """A type tag from its text (ValueError naming the text when it is not one)."""
    source = text.strip()
    for prefix in ("&mut ", "&"):
        if source.startswith(prefix):
            source = source[len(prefix):].strip()
    tokens = _tokens(source, text)
    parsed, rest = _parse(tokens, text)
    if rest:
        raise ValueError(f"{text!r} is not a Move type: unexpected {' '.join(rest[:3])!r}")
    return parsed


def _tokens(source: str, text: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ValueError(f"{text!r} is not a Move type")
        tokens.append(match.group(1))
        pos = match.end()
        while pos < len(source) and source[pos].isspace():
            pos += 1
    return tokens


def _parse(tokens: list[str], text: str) -> tuple[TypeTag, list[str]]:
    if not tokens:
        raise ValueError(f"{text!r} is not a Move type: it ends too soon")
    head, rest = tokens[0], tokens[1:]
    if head in _PRIMITIVES:
        return TypeTag(head), rest
    if head == "vector":
        args, rest = _type_args(rest, text)
        if len(args) != 1:
            raise ValueError(f"{text!r}: vector takes one type argument")
        return TypeTag("vector", element=args[0]), rest
    if len(rest) >= 4 and rest[0] == "::" and rest[2] == "::":
        module, name = rest[1], rest[3]
        if not (_IDENTIFIER.fullmatch(module) and _IDENTIFIER.fullmatch(name)):
            raise ValueError(f"{text!r} is not a Move type")
        args, rest = _type_args(rest[4:], text)
        return TypeTag("struct", struct=StructTag(parse_address(head), module, name, tuple(args))), rest
    raise ValueError(f"{text!r} is not a Move type (a primitive, vector<…> or address::module::Struct)")


def _type_args(tokens: list[str], text: str) -> tuple[list[TypeTag], list[str]]:
    if not tokens or tokens[0] != "<":
        return [], tokens
    args: list[TypeTag] = []
    rest = tokens[1:]
    while True:
        arg, rest = _parse(rest, text)
        args.append(arg)
        if not rest:
            raise ValueError(f"{text!r} is not a Move type: '<' is not closed")
        if rest[0] == ">":
            return args, rest[1:]
        if rest[0] != ",":
            raise ValueError(f"{text!r} is not a Move type: unexpected {rest[0]!r}")
        rest = rest[1:]


def parse_function(text: str) -> tuple[bytes, str, str]:
    """`0x1::coin::transfer` → (address, module, function)."""
    parts = text.strip().split("::") if isinstance(text, str) else []
    if len(parts) != 3 or not all(_IDENTIFIER.fullmatch(p) for p in parts[1:]):
        raise ValueError(f"{text!r} is not a function (address::module::function)")
    return parse_address(parts[0]), parts[1], parts[2]
