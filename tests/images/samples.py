"""Test images made with Pillow on the fly (no binary fixtures), and hostile bytes."""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib

from PIL import Image

RED, BLUE, GREEN = (220, 20, 20), (20, 20, 220), (20, 200, 20)


def encode(image: Image.Image, fmt: str = "PNG", **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def solid(size: tuple[int, int] = (64, 48), color: tuple[int, ...] = RED, mode: str = "RGB", fmt: str = "PNG",
          **save: object) -> bytes:
    return encode(Image.new(mode, size, color), fmt, **save)


def noise(size: tuple[int, int], seed: int = 7) -> Image.Image:
    """Incompressible pixels: the worst case for any byte budget."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def halves(size: tuple[int, int] = (60, 40)) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def oriented_jpeg(orientation: int = 6, size: tuple[int, int] = (60, 40)) -> bytes:
    """A JPEG whose stored pixels must be rotated for display (EXIF Orientation tag)."""
    image = halves(size)
    exif = image.getexif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


def transparent_png(size: tuple[int, int] = (64, 64)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((*GREEN, 255), (8, 8, size[0] - 8, size[1] - 8))
    return encode(image, "PNG")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares width × height pixels (never meant to be decoded)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def sparse_bilevel_png(size: tuple[int, int] = (10_000, 5_000)) -> bytes:
    """A real, valid PNG of 50 MP that compresses to a few kB: a classic bomb under Pillow's own limit."""
    return encode(Image.new("1", size, 0), "PNG", optimize=True)


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def rgb(data: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    """The RGB value of one pixel of an encoded image."""
    r, g, b = open_image(data).convert("RGB").getpixel(xy)  # type: ignore[misc]
    return int(r), int(g), int(b)


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
