"""A node's cache key: sha256 of a canonical encoding (execution.cache.canonical: canonical
JSON, never pickle) of everything that determines its output, and nothing that does not.

    scope      ["owner", the run's owner], or ["shared"] when the server shares entries
    type       the spec's cache_fingerprint: node type, version, data of its prompt modules
    settings   the parsed settings record, minus NOT_OUTPUT_SETTINGS
    call       what the policy's `call` resolves: provider, the model actually sent (defaults
               filled in), the vendor request of an image generation (size, steps, seed…)
    values     the node's named inputs by name (node types with named ports), when it has any
    inputs     digests of the text inputs' outputs, in edge order
    adapters   digests of the adapter (persona) inputs' outputs, in edge order

An output's digest covers what a dependent can read of it — text, persona fields, prompts, the
image by the sha256 of its bytes, its named values — so a change anywhere upstream changes every key downstream,
and an upstream node that was re-run but said the same thing leaves them as they were. Call
parameters that come from prompt templates (temperature, max tokens) are in `type`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from execution.cache.canonical import canonical, dumps
from execution.outputs import NodeOutput

if TYPE_CHECKING:
    from execution.nodes.setting_types import NodeSettings

# Bumped when the recipe below changes (every stored entry then misses once).
KEY_FORMAT = 1
# Settings that do not change a node's output: its use of the cache, and its provider, model and
# execution mode, which enter the key resolved (the policy's `call`), so that naming the default
# changes nothing.
NOT_OUTPUT_SETTINGS = frozenset({"cache", "provider_id", "model", "execution_mode"})
_EXCLUDE: set[str] = set(NOT_OUTPUT_SETTINGS)  # the type model_dump takes


def output_digest(output: NodeOutput) -> str:
    """sha256 of what dependents can read of `output` (not its timing, flags or call records)."""
    image = output.image
    parts = [KEY_FORMAT, output.persona_name, output.persona_description, output.replace_prompt,
             output.injected_prompt, image.mime_type if image is not None else None,
             hashlib.sha256(image.data).hexdigest() if image is not None else None]
    if output.values:  # named outputs (one more item: an output without them keeps its digest)
        parts.append(canonical(output.values))
    if output.images:  # a batch's images (likewise: an output without them keeps its digest)
        parts.append([[i.mime_type, hashlib.sha256(i.data).hexdigest()] for i in output.images])
    head = dumps(parts)
    h = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
    h.update(b"\x00")  # the text follows the fixed-shape head; nothing in the head contains NUL unescaped
    h.update(output.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class OutputDigests:
    """Digests of a run's outputs, each computed once: an output feeds every dependent's key."""

    def __init__(self) -> None:
        # id(output) → (output, digest); the output is held so its id cannot be reused meanwhile.
        self._known: dict[int, tuple[NodeOutput, str]] = {}

    def of(self, output: NodeOutput) -> str:
        known = self._known.get(id(output))
        if known is None:
            known = self._known[id(output)] = (output, output_digest(output))
        return known[1]

    def all(self, outputs: Iterable[NodeOutput]) -> list[str]:
        return [self.of(o) for o in outputs]


def settings_part(settings: NodeSettings) -> Any:
    """The settings record as canonical JSON values, without NOT_OUTPUT_SETTINGS."""
    return canonical(settings.model_dump(exclude=_EXCLUDE))


def node_key(*, scope: Sequence[str], fingerprint: str, settings: NodeSettings, call: Mapping[str, Any] | None,
             inputs: Iterable[NodeOutput], adapters: Iterable[NodeOutput], digests: OutputDigests,
             values: Mapping[str, Any] | None = None) -> str:
    """The key of one node (see the module docstring); hex sha256 of

        <KEY_FORMAT>|<fingerprint>|<canonical JSON of [scope, settings, call]>|<input digests,
        comma-separated>|<adapter digests, comma-separated>

    The JSON value is self-delimiting and the digests are hex, so no two documents share an
    encoding; the fixed-shape parts skip the JSON encoder (the key path's cost: bench/)."""
    parts = [list(scope), settings_part(settings), canonical(call)]
    if values:  # a node with named inputs: which value fills which input
        parts.append(canonical(values))
    document = dumps(parts)
    encoded = f"{KEY_FORMAT}|{fingerprint}|{document}|{','.join(digests.all(inputs))}|{','.join(digests.all(adapters))}"
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()
