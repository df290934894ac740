"""VisionSteps: the model calls one image node makes — vision chat (images + instruction),
plain text chat, or Florence-2 captioning — live or dry, recorded as ProviderCalls.

It mirrors the text nodes' LlmSteps: requests are prepared by the node's provider so the
ProviderCall shows exactly what is (or would be) sent (images as placeholders with their
final type, size and bytes); the call that produces the node's text streams its tokens to
the client; under dry run nothing is sent and the result is the prompt text itself.

Vision specifics: images are normalised to the vendor's policy first (Claude: base64 image
blocks ≤ 5 MB; OpenAI-compatible: JPEG/PNG ≤ 3.5 MiB), the prompt wording follows the
vendor's dialect, and when the node names no model a vision-capable default is used for
providers whose default chat model is text-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from execution.context import NodeContext
from execution.images import VISION_CLAUDE, VISION_FLORENCE, VISION_OPENAI_COMPATIBLE, ImagePolicy
from execution.messages import ChatMessage
from execution.nodes.image_inputs import prepare_image
from execution.outputs import Image, NodeOutput, ProviderCall
from execution.prompts.template import RenderedPrompt
from execution.prompts.vision import Dialect, VisionPrompt
from execution.providers.chat import ChatRequest, TextProvider, Vendor
from execution.providers.vision_messages import ImagePart, Part, vision_message

# Vision models used when the node names none (the providers' default chat models read no images).
VISION_MODEL_DEFAULTS: Mapping[str, str] = {
    "mistral": "pixtral-12b-2409",
    "glm": "glm-4.6v",
    "huggingface": "Qwen/Qwen2.5-VL-7B-Instruct",
}
FLORENCE_PROVIDER_IDS = frozenset({"florence", "florence-2"})


class VisionSteps:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx
        self.calls: list[ProviderCall] = []

    # -- what the node is talking to ------------------------------------------------------

    @property
    def provider_id(self) -> str:
        return self._ctx.model.provider_id

    def provider(self) -> TextProvider:
        return self._ctx.services.llm.get(self.provider_id)

    def dialect(self) -> Dialect:
        return Dialect.CLAUDE if self.provider().vendor is Vendor.ANTHROPIC else Dialect.STANDARD

    def image_policy(self) -> ImagePolicy:
        return VISION_CLAUDE if self.dialect() is Dialect.CLAUDE else VISION_OPENAI_COMPATIBLE

    def uses_florence(self) -> bool:
        """Florence-2 is chosen by provider id "florence" or a model name containing "florence"."""
        model = self._ctx.model
        return model.provider_id.lower() in FLORENCE_PROVIDER_IDS or "florence" in model.model.lower()

    def _vision_model(self) -> str:
        model = self._ctx.model
        return model.model or VISION_MODEL_DEFAULTS.get(model.provider_id, "")

    # -- calls ----------------------------------------------------------------------------

    async def vision(self, prompt: VisionPrompt, images: Sequence[bytes], *, what: Sequence[str]) -> str:
        """One vision chat: `images` (raw, in prompt order) normalised, then the instruction."""
        ctx = self._ctx
        policy = self.image_policy()
        parts: list[Part] = []
        for label, raw, name in zip(prompt.image_labels, images, what, strict=True):
            prepared = await prepare_image(ctx, raw, policy, what=name)
            parts += [label, ImagePart(prepared.image, prepared.width, prepared.height)]
        parts.append(prompt.prompt.text)
        messages: list[ChatMessage] = [ChatMessage("system", prompt.system)] if prompt.system else []
        messages.append(vision_message("user", parts))
        return await self._chat(prompt.prompt, tuple(messages), self._vision_model())

    async def text(self, prompt: RenderedPrompt) -> str:
        """One plain chat with the rendered prompt as the user message."""
        return await self._chat(prompt, (ChatMessage("user", prompt.text),), self._ctx.model.model)

    async def florence(self, raw: bytes, *, what: str) -> str:
        """Florence-2 captioning through hf-inference (no instruction can be sent)."""
        ctx = self._ctx
        captioner = ctx.services.images.providers.captioner
        prepared = await prepare_image(ctx, raw, VISION_FLORENCE, what=what)
        model = captioner.resolve_model(ctx.model.model if "florence" in ctx.model.model.lower() else "")
        part = ImagePart(prepared.image, prepared.width, prepared.height)
        self.calls.append(ProviderCall(captioner.provider_id, model, "describe",
                                       (vision_message("user", [part]),)))
        if ctx.dry_run:
            text = f"[dry run] Florence-2 caption of {part.placeholder()} via {captioner.url(model)}"
            ctx.emit_text(text)
            return text
        caption = await captioner.caption(model, prepared.image)
        ctx.emit_text(caption)
        return caption

    async def _chat(self, prompt: RenderedPrompt, messages: tuple[ChatMessage, ...], model: str) -> str:
        ctx = self._ctx
        request = self.provider().prepare(ChatRequest(
            messages=messages, model=model, temperature=prompt.temperature, max_tokens=prompt.max_tokens))
        self.calls.append(ProviderCall(
            provider_id=self.provider_id,
            model=request.model,
            purpose=prompt.purpose,
            messages=request.messages,
            temperature=request.temperature if request.temperature is not None else 0.0,
            max_tokens=request.max_tokens,
        ))
        if ctx.dry_run:
            text = "\n\n".join(m.content for m in request.messages)
            ctx.emit_text(text)
            return text
        text = await ctx.services.llm.complete(self.provider_id, request, on_text=ctx.emit_text)
        return text.strip()

    def output(self, text: str, image: Image | None = None) -> NodeOutput:
        ctx = self._ctx
        upstream_dry = any(o.dry_run for o in (*ctx.inputs, *ctx.adapter_inputs))
        return NodeOutput(text=text, image=image, dry_run=ctx.dry_run and (bool(self.calls) or upstream_dry),
                          provider_calls=tuple(self.calls))
