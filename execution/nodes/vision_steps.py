"""VisionSteps: the model calls one image node makes — vision chat (images + instruction),
plain text chat, or Florence-2 captioning — live or dry, recorded as ProviderCalls.

It shares the text nodes' ChatSteps: requests are prepared by the node's provider so the
ProviderCall shows exactly what is (or would be) sent (images as placeholders with their
final type, size and bytes); the call that produces the node's text streams its tokens to
the client; under dry run nothing is sent and the result is the prompt text itself.

Vision specifics come from the provider's profile: the image policy images are normalised to
first (Claude: base64 image blocks ≤ 5 MB; OpenAI-compatible: JPEG/PNG ≤ 3.5 MiB), the prompt
dialect, and the vision model used when the node names none (for providers whose default chat
model reads no images).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from execution.context import NodeContext
from execution.images import VISION_FLORENCE, ImagePolicy
from execution.messages import ChatMessage
from execution.nodes.chat_steps import ChatSteps, chat_call
from execution.nodes.image_inputs import prepare_image
from execution.outputs import ProviderCall
from execution.prompts.template import RenderedPrompt
from execution.prompts.vision import Dialect, VisionPrompt
from execution.providers.chat import ChatRequest
from execution.providers.profile import ProviderProfile
from execution.providers.vision_messages import ImagePart, Part, vision_message

FLORENCE_PROVIDER_IDS = frozenset({"florence", "florence-2"})


class VisionSteps(ChatSteps):
    # -- what the node is talking to ------------------------------------------------------

    def profile(self) -> ProviderProfile:
        return self._ctx.services.llm.get(self._ctx.model.provider_id).profile

    def dialect(self) -> Dialect:
        return self.profile().dialect

    def image_policy(self) -> ImagePolicy:
        return self.profile().image_policy

    def uses_florence(self) -> bool:
        """Florence-2 is chosen by provider id "florence" or a model name containing "florence"."""
        model = self._ctx.model
        return model.provider_id.lower() in FLORENCE_PROVIDER_IDS or "florence" in model.model.lower()

    def _vision_model(self) -> str:
        return self._ctx.model.model or self.profile().vision_model

    def _florence_model(self) -> str:
        model = self._ctx.model.model
        return self._ctx.services.images.providers.captioner.resolve_model(model if "florence" in model.lower() else "")

    def resolved_call(self) -> dict[str, Any]:
        """Where this node's calls go, before any is made (the cache key's `call`): Florence-2
        and its model, or the chat provider with the model of its text calls and of its vision
        calls (each as the provider will send it)."""
        ctx = self._ctx
        if self.uses_florence():
            return {"provider": ctx.services.images.providers.captioner.provider_id, "model": self._florence_model()}
        provider = ctx.services.llm.get(ctx.model.provider_id)
        vision_model = provider.prepare(ChatRequest((), model=self._vision_model())).model
        return {**chat_call(ctx), "vision_model": vision_model}

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
        model = self._florence_model()
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
        text = await self.chat(prompt, messages, model=model, stream=True)
        return text if self._ctx.dry_run else text.strip()


def vision_call(ctx: NodeContext) -> dict[str, Any]:
    """CachePolicy.call of the vision nodes: VisionSteps.resolved_call."""
    return VisionSteps(ctx).resolved_call()
