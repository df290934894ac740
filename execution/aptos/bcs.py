"""BCS (Binary Canonical Serialization), the encoding Aptos signs and stores transactions in.

Integers little-endian at their fixed width; lengths and enum variants as ULEB128; a byte
string or sequence is its length then its items; a struct is its fields in order, nothing
between them. `Serializer` writes, `Deserializer` reads back and refuses anything left over or
missing (BcsError).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_ULEB128 = 2**32 - 1  # BCS lengths and variants are u32


class BcsError(ValueError):
    """Bytes that are not the BCS of what was expected."""


class Serializer:
    def __init__(self) -> None:
        self._out = bytearray()

    def output(self) -> bytes:
        return bytes(self._out)

    def fixed_bytes(self, value: bytes) -> None:
        self._out += value

    def uint(self, value: int, bits: int) -> None:
        if not 0 <= value < 2**bits:
            raise BcsError(f"{value} does not fit in u{bits}")
        self._out += value.to_bytes(bits // 8, "little")

    def u8(self, value: int) -> None:
        self.uint(value, 8)

    def u64(self, value: int) -> None:
        self.uint(value, 64)

    def bool(self, value: bool) -> None:
        self._out.append(1 if value else 0)

    def uleb128(self, value: int) -> None:
        if not 0 <= value <= MAX_ULEB128:
            raise BcsError(f"{value} is not a BCS length")
        while True:
            byte = value & 0x7F
            value >>= 7
            self._out.append(byte | (0x80 if value else 0))
            if not value:
                return

    def bytes(self, value: bytes) -> None:
        self.uleb128(len(value))
        self._out += value

    def str(self, value: str) -> None:
        self.bytes(value.encode("utf-8"))

    def sequence(self, items: Sequence[T], write: Callable[[Serializer, T], None]) -> None:
        self.uleb128(len(items))
        for item in items:
            write(self, item)


class Deserializer:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def remaining(self) -> int:
        return len(self._data) - self._pos

    def done(self) -> None:
        """Refuse trailing bytes: BCS has exactly one encoding of each value."""
        if self.remaining():
            raise BcsError(f"{self.remaining()} bytes left over")

    def fixed_bytes(self, size: int) -> bytes:
        if size > self.remaining():
            raise BcsError(f"wanted {size} bytes, {self.remaining()} left")
        chunk = bytes(self._data[self._pos:self._pos + size])
        self._pos += size
        return chunk

    def uint(self, bits: int) -> int:
        return int.from_bytes(self.fixed_bytes(bits // 8), "little")

    def u8(self) -> int:
        return self.uint(8)

    def u64(self) -> int:
        return self.uint(64)

    def bool(self) -> bool:
        byte = self.u8()
        if byte > 1:
            raise BcsError(f"{byte} is not a bool")
        return byte == 1

    def uleb128(self) -> int:
        value = shift = 0
        while True:
            byte = self.u8()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
            shift += 7
            if shift > 28:
                raise BcsError("ULEB128 longer than a u32")
        if value > MAX_ULEB128:
            raise BcsError(f"{value} is not a BCS length")
        return value

    def bytes(self) -> bytes:
        return self.fixed_bytes(self.uleb128())

    def str(self) -> str:
        try:
            return self.bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BcsError(f"a string that is not UTF-8: {exc}") from None

    def sequence(self, read: Callable[[Deserializer], T]) -> list[T]:
        return [read(self) for _ in range(self.uleb128())]
