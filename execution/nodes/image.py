"""Image-processing nodes: imageDescriber, imageGenerator, personasReplacer.

- imageDescriber: `data.image`, else the first upstream image (+ `data.notes`) → a vision
  model's description. Output `{text: description, image}`.
- imageGenerator: upstream text, else `data.prompt`, plus width/height/steps/seed/negative
  prompt → an image vendor. Output `{image, text: prompt, seed}`. The prompt is sent as is.
  A node without a seed (or -1) gets a random one drawn here when the vendor takes seeds, so
  the output can say which seed made the image (set it on the node to make it again).
- personasReplacer: personas from adapter inputs; upstream text → a text-only persona swap;
  otherwise the upstream image (preferred) or `data.image` analysed by a vision model.
  Output `{text: description}`.

The describe route's image types are settings: `data.imageType: "persona"` marks `data.image`
as a character image, and `data.personaImage` adds a character image to a reference image
(the "both" variant). Florence-2 is chosen with provider "florence" or a model name containing
"florence". imageGenerator resolves its vendor from the node's provider if it names an image
vendor (naming a text-only provider is an error), else from the flow's provider when that is
an image vendor ("glm" → GLM-Image), else the default vendor (FLOWEXEC_IMAGE_PROVIDER,
HuggingFace FLUX.1-schnell).
Dry run: no image is generated and no model is called; ProviderCalls show what would be sent.

Cache (execution.cache): describer and replacer by default, keyed by the provider and models
they resolve to; the generator only with a fixed seed its vendor takes (anything else is a
new image each time unless the node asks with `cache: true`), keyed by the vendor request.
"""

from __future__ import annotations

import enum
import json
import logging
import random
from dataclasses import replace
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, WithJsonSchema

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.images import NODE_OUTPUT
from execution.messages import ChatMessage
from execution.model_resolution import ModelChoice
from execution.nodes.image_inputs import prepare_image, setting_image_bytes, upstream_image
from execution.nodes.inputs import extract_personas, merge_input_text
from execution.nodes.jobs import generation_job
from execution.nodes.setting_types import ModelSettings, NumberBetween, StrictText, Text, WholeNumber, must
from execution.nodes.spec import IMAGE_OUT, PERSONA_IN, TEXT_IN, TEXT_OUT, CachePolicy, NodeFamily, NodeSpec
from execution.nodes.vision_steps import VisionSteps, vision_call
from execution.outputs import NodeOutput, ProviderCall
from execution.prompts import describe, template, vision
from execution.prompts import replace as replace_prompts
from execution.prompts.describe import DescribeMode, describe_prompt
from execution.prompts.replace import text_swap_prompt, vision_replace_prompt
from execution.providers.image_vendors.generation import GenerationRequest, PlannedRequest
from execution.providers.image_vendors.image_providers import ImageChoice

log = logging.getLogger("flowexec.nodes.image")

CLAUDE = ModelChoice("claude")

# An image in the settings, as the editor stores it: a data URL or base64. Only its type is checked
# before the run; it is decoded (and checked) by the executor only when it is used, so a node that
# does not need it never fails on it, and validation never decodes images.
ImageSetting = Annotated[Any, must(lambda v: v is None or isinstance(v, str), "must be a data URL or a base64 string"),
                         WithJsonSchema({"type": "string", "contentEncoding": "base64", "contentMediaType": "image/*"})]


class ImageType(enum.Enum):
    """What `data.image` shows: a scene to describe, or a character (anything but "persona" is a scene)."""

    REFERENCE = "reference"
    PERSONA = "persona"


def _image_type(value: Any) -> ImageType:
    if value is not None and not isinstance(value, str):
        raise ValueError('must be text ("persona" or "reference")')
    is_persona = isinstance(value, str) and value.strip().lower() == "persona"
    return ImageType.PERSONA if is_persona else ImageType.REFERENCE


class DescriberSettings(ModelSettings):
    image: ImageSetting = None
    persona_image: ImageSetting = None
    # Open: any text but "persona" means a scene (the editor's own values may grow).
    image_type: Annotated[ImageType, BeforeValidator(_image_type), WithJsonSchema(
        {"type": "string", "examples": [t.value for t in ImageType]})] = ImageType.REFERENCE
    notes: Text = ""


async def image_describer(ctx: NodeContext[DescriberSettings]) -> NodeOutput:
    steps, settings = VisionSteps(ctx), ctx.settings
    reference, reference_name = setting_image_bytes(settings.image, "image"), "'image'"
    persona, persona_name = setting_image_bytes(settings.persona_image, "personaImage"), "'personaImage'"
    if reference is None:  # an image node upstream (imageGenerator → imageDescriber)
        upstream = upstream_image(ctx)
        if upstream is not None:
            reference, reference_name = upstream.data, "upstream image"
    if settings.image_type is ImageType.PERSONA and persona is None:
        reference, persona, persona_name = None, reference, reference_name
    if reference is not None and persona is not None:
        mode, images, names = (DescribeMode.REFERENCE_AND_PERSONA, [reference, persona],
                               [reference_name, persona_name])
    elif reference is not None:
        mode, images, names = DescribeMode.REFERENCE, [reference], [reference_name]
    elif persona is not None:
        mode, images, names = DescribeMode.PERSONA, [persona], [persona_name]
    else:
        raise InvalidNodeInput("No image: looked at the node's 'image' and 'personaImage' settings and its "
                               "upstream nodes' outputs; add an image to the node or connect a node that outputs one")
    # The image shown with the description; checked first, so a bad image fails before any model is paid for.
    out_image = (await prepare_image(ctx, images[0], NODE_OUTPUT, what=names[0])).image
    if steps.uses_florence():
        return steps.output(await steps.florence(images[0], what=names[0]), image=out_image)
    prompt = describe_prompt(mode, steps.dialect(), settings.notes)
    return steps.output(await steps.vision(prompt, images, what=names), image=out_image)


MIN_SIDE, MAX_SIDE = 64, 4096
MAX_STEPS = 150
MAX_SEED = 2**32 - 1
MAX_GUIDANCE = 50.0
MAX_PROMPT_CHARS = 20_000

Side = Annotated[int | None, WholeNumber(MIN_SIDE, MAX_SIDE)]


class GeneratorSettings(ModelSettings):
    # Numbers arrive as floats (protobuf Struct) or numeric strings; "" or null means unset.
    # The fields are checked in this order and the first bad one is named.
    prompt: Text = ""
    # -1 means "random" (not sent).
    seed: Annotated[int | None, WholeNumber(-1, MAX_SEED), AfterValidator(lambda seed: None if seed == -1 else seed)] = None
    negative_prompt: StrictText = Field("", validation_alias=AliasChoices("negativePrompt", "negative_prompt"))
    width: Side = None
    height: Side = None
    steps: Annotated[int | None, WholeNumber(1, MAX_STEPS)] = None
    guidance_scale: Annotated[float | None, NumberBetween(0.0, MAX_GUIDANCE)] = None


def generation_request(prompt: str, settings: GeneratorSettings) -> GenerationRequest:
    """The request for an image vendor: the prompt (checked here) with the node's settings."""
    prompt = prompt.strip()
    if not prompt:
        raise InvalidNodeInput("No prompt: connect a text node or set a prompt on the node")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidNodeInput(f"The prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}")
    return GenerationRequest(
        prompt=prompt,
        width=settings.width,
        height=settings.height,
        steps=settings.steps,
        seed=settings.seed,
        negative_prompt=settings.negative_prompt,
        guidance_scale=settings.guidance_scale,
    )


def _generation(ctx: NodeContext[GeneratorSettings]) -> tuple[ImageChoice, GenerationRequest]:
    """The vendor the node generates with and the request it sends (seed as set, or None)."""
    request = generation_request(merge_input_text(ctx.inputs) or ctx.settings.prompt, ctx.settings)
    choice = ctx.services.images.providers.choose(ctx.model.provider_id, ctx.model.model,
                                                  explicit=bool(ctx.settings.provider_id))
    return choice, request


def fixed_seed(ctx: NodeContext[GeneratorSettings]) -> bool:
    """Cached by default only when the image can be made again: a seed set, and a vendor that takes it."""
    return ctx.settings.seed is not None and _generation(ctx)[0].provider.takes_seed


def generation_call(ctx: NodeContext[GeneratorSettings]) -> dict[str, Any]:
    """The vendor request as it would be sent (vendor, model, URL, body): the cache key's `call`."""
    choice, request = _generation(ctx)
    planned = choice.provider.plan(choice.model, request)
    return {"provider": planned.provider_id, "model": planned.model, "url": planned.url, "body": dict(planned.body)}


async def image_generator(ctx: NodeContext[GeneratorSettings]) -> NodeOutput:
    choice, request = _generation(ctx)
    takes_seed = choice.provider.takes_seed
    if request.seed is None and takes_seed and not ctx.dry_run:
        request = replace(request, seed=random.randint(1, MAX_SEED))  # 0 is "random" to some vendors
    images = ctx.services.images
    planned = choice.provider.plan(choice.model, request)
    for note in planned.notes:  # settings the vendor cannot take as given
        log.info("run %s node %s (%s): %s", ctx.run_id, ctx.node_id, planned.provider_id, note)
    call = ProviderCall(planned.provider_id, planned.model, "generate-image",
                        (ChatMessage("user", request_text(planned)),))
    if ctx.dry_run:
        return NodeOutput(text=request.prompt, dry_run=True, provider_calls=(call,))
    generated = await choice.provider.generate(choice.model, request, generation_job(ctx))
    prepared = await images.processor.from_provider(generated.image.data, NODE_OUTPUT,
                                                    provider=planned.provider_id)
    return NodeOutput(text=request.prompt, image=prepared.image, provider_calls=(call,),
                      seed=request.seed if takes_seed else None)


def request_text(planned: PlannedRequest) -> str:
    """The request body exactly as sent (JSON), for ProviderCall.messages."""
    return json.dumps(dict(planned.body), ensure_ascii=False, separators=(", ", ": "))


class ReplacerSettings(ModelSettings):
    image: ImageSetting = None


async def personas_replacer(ctx: NodeContext[ReplacerSettings]) -> NodeOutput:
    steps = VisionSteps(ctx)
    personas = extract_personas(ctx.adapter_inputs)
    if not personas:
        raise InvalidNodeInput("No character: connect a character node to an adapter input")
    description = merge_input_text(ctx.inputs)
    if description:
        return steps.output(await steps.text(text_swap_prompt(description, personas)))
    upstream = upstream_image(ctx)
    raw = upstream.data if upstream is not None else setting_image_bytes(ctx.settings.image, "image")
    if raw is None:
        raise InvalidNodeInput("Nothing to replace in: connect a node with an image or a description, "
                               "or add an image to the node")
    what = "upstream image" if upstream is not None else "'image'"
    return steps.output(await steps.vision(vision_replace_prompt(personas), [raw], what=[what]))


IMAGE_DESCRIBER = NodeSpec(
    "imageDescriber", NodeFamily.IMAGE, image_describer, DescriberSettings,
    display_name="Image Describer",
    description="Describes the node's image with a vision model (or Florence-2); outputs text and image.",
    inputs=(TEXT_IN,), outputs=(TEXT_OUT, IMAGE_OUT), calls_provider=True, default_model=CLAUDE,
    cache_policy=CachePolicy(call=vision_call), prompts=(template, vision, describe),
)
IMAGE_GENERATOR = NodeSpec(
    "imageGenerator", NodeFamily.IMAGE, image_generator, GeneratorSettings,
    display_name="Image Generator",
    description="Generates an image from the upstream text or the prompt (FLUX via HF or Fireworks, GLM, ComfyUI).",
    inputs=(TEXT_IN,), outputs=(IMAGE_OUT, TEXT_OUT), calls_provider=True,
    cache_policy=CachePolicy(default=fixed_seed, call=generation_call),
    output_fields={"seed": {"type": "integer", "description": "the seed the image was made with (set it on the node "
                                                               "to make the same image again); absent when the "
                                                               "vendor takes none"}},
)
PERSONAS_REPLACER = NodeSpec(
    "personasReplacer", NodeFamily.IMAGE, personas_replacer, ReplacerSettings,
    display_name="Personas Replacer",
    description="Rewrites the upstream description, or describes the image, with the adapter characters.",
    inputs=(TEXT_IN, PERSONA_IN), calls_provider=True, default_model=CLAUDE,
    cache_policy=CachePolicy(call=vision_call), prompts=(template, vision, replace_prompts),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (IMAGE_DESCRIBER, IMAGE_GENERATOR, PERSONAS_REPLACER)
