"""PromptTemplate: a prompt as data — text with named placeholders plus the sampling
parameters it is sent with — and RenderedPrompt, the filled-in result an executor sends.

`{char_limit}` is filled in by every template from CHAR_LIMIT (the 2500-character output
limit the prompts ask for, also the compressor's threshold). Rendering checks the given
values against the placeholders both ways, so a renamed placeholder cannot silently drop a
value. Values are inserted verbatim: braces in user text are not interpreted.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

CHAR_LIMIT = 2500
DEFAULT_MAX_TOKENS = 2048  # ~8k characters: room for a 2500-character answer in any language

_BUILT_IN = frozenset({"char_limit"})


@dataclass(frozen=True, slots=True)
class RenderedPrompt:
    purpose: str
    text: str
    # None: not sent (the provider's default), for prompts built from data that set none.
    temperature: float | None
    max_tokens: int


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    # What the call is for, as shown in ProviderCall.purpose ("enhance", "inject-persona", …).
    purpose: str
    text: str
    temperature: float
    max_tokens: int = DEFAULT_MAX_TOKENS

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.text) if name) - _BUILT_IN

    def render(self, **values: str) -> RenderedPrompt:
        missing = self.placeholders - values.keys()
        unknown = values.keys() - self.placeholders
        if missing or unknown:
            raise KeyError(f"template '{self.purpose}': missing {sorted(missing)}, unknown {sorted(unknown)}")
        return RenderedPrompt(self.purpose, self.text.format(char_limit=CHAR_LIMIT, **values),
                              self.temperature, self.max_tokens)
