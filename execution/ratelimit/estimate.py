"""A chat request's token estimate, charged to the user's budget before the call is sent and
corrected afterwards to the usage the provider reports.

Input: about 4 characters a token (English prose; code and other scripts run denser, which
settlement corrects), images by Anthropic's published rule (width × height / 750, at most
1,600 a picture: the largest cost any of our vendors documents for the sizes we send).
Output: the request's max_tokens, the most it may produce, or DEFAULT_OUTPUT_TOKENS when it
sets none. Being too high costs a user a little waiting until the call settles; being too low
lets a burst through that the next calls pay for.
"""

from __future__ import annotations

from math import ceil

from execution.providers.chat import ChatRequest
from execution.providers.vision_messages import ImagePart, image_parts

CHARS_PER_TOKEN = 4
MAX_IMAGE_TOKENS = 1600
DEFAULT_OUTPUT_TOKENS = 1024


def image_tokens(part: ImagePart) -> int:
    if not (part.width and part.height):
        return MAX_IMAGE_TOKENS
    return min(MAX_IMAGE_TOKENS, ceil(part.width * part.height / 750))


def estimate_tokens(request: ChatRequest) -> int:
    chars = 0
    pictures = 0
    for message in request.messages:
        parts = image_parts(message)
        if parts is None:
            chars += len(message.content)
            continue
        for part in parts:
            if isinstance(part, str):
                chars += len(part)
            else:
                pictures += image_tokens(part)
    return ceil(chars / CHARS_PER_TOKEN) + pictures + (request.max_tokens or DEFAULT_OUTPUT_TOKENS)
