"""Images as the editor sends them in node settings: a data URL or a bare base64 string.

The declared media type of a data URL is not trusted (the decoder sniffs the bytes); it
only has to claim to be an image. Remote URLs are refused rather than fetched: the server
does not download what a client points it at. Sizes are checked on the base64 text before
anything is decoded.
"""

from __future__ import annotations

from execution.data_urls import decode_base64, parse_data_url
from execution.images.errors import ImageRejected


def decoded_size(b64_text: str) -> int:
    """Bytes that `b64_text` (whitespace and padding included) decodes to, at most."""
    return (len(b64_text) * 3) // 4


def image_bytes_from_setting(value: object, *, field: str, max_bytes: int) -> bytes | None:
    """The image bytes in a setting, or None when the setting is absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ImageRejected(f"'{field}' must be a data URL or a base64 string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if text.lower().startswith(("http://", "https://")):
        raise ImageRejected(f"'{field}' is a URL; send the image itself (a data URL or base64), "
                            "the server does not fetch URLs")
    if text[:5].lower() == "data:":
        parsed = parse_data_url(text)
        if parsed is None:
            raise ImageRejected(f"'{field}' is not a valid data URL")
        mime = parsed.mime
        if mime and not mime.startswith("image/") and mime != "application/octet-stream":
            raise ImageRejected(f"'{field}' is a data URL of type '{mime}', not an image")
        if not parsed.is_base64:
            raise ImageRejected(f"'{field}' data URL must be base64-encoded")
        text = parsed.payload
    return _decode_setting(text, field=field, max_bytes=max_bytes)


def _decode_setting(text: str, *, field: str, max_bytes: int) -> bytes:
    """Standard or URL-safe base64, with or without padding and line breaks; sizes checked."""
    if decoded_size(text) > max_bytes + 3:
        raise ImageRejected(f"'{field}' is about {_mb(decoded_size(text))} decoded; "
                            f"the limit is {_mb(max_bytes)}")
    if not text.strip():
        raise ImageRejected(f"'{field}' is empty")
    try:
        data = decode_base64(text, strict=True)
    except ValueError:
        raise ImageRejected(f"'{field}' is not valid base64") from None
    if len(data) > max_bytes:
        raise ImageRejected(f"'{field}' is {_mb(len(data))}; the limit is {_mb(max_bytes)}")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"
