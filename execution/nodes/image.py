"""Image-processing nodes (seed §5.3): imageDescriber, imageGenerator, personasReplacer.

- imageDescriber: `data.image`, else the first upstream image (+ `data.notes`) → a vision
  model's description. Output `{text: description, image}`.
- imageGenerator: upstream text, else `data.prompt`, plus width/height/steps/seed/negative
  prompt → an image vendor. Output `{image, text: prompt}`.
- personasReplacer: personas from adapter inputs; upstream text → a text-only persona swap;
  otherwise the upstream image (preferred) or `data.image` analysed by a vision model.
  Output `{text: description}`.

Where the seed is silent: the describe route's image types are settings here —
`data.imageType: "persona"` marks `data.image` as a character image, and `data.personaImage`
adds a character image to a reference image (the "both" variant). Florence-2 is chosen with
provider "florence" or a model name containing "florence". imageGenerator resolves its
vendor from the node's provider if it names an image vendor (naming a text-only provider is
an error), else from the flow's provider when that is an image vendor ("glm" → GLM-Image),
else the default vendor (FLOWEXEC_IMAGE_PROVIDER, HuggingFace FLUX.1-schnell).
Dry run: no image is generated and no model is called; ProviderCalls show what would be sent.
"""

from __future__ import annotations

import json
import logging

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.images import NODE_OUTPUT
from execution.messages import ChatMessage
from execution.nodes.image_inputs import prepare_image, setting_image_bytes, upstream_image
from execution.nodes.inputs import extract_personas, merge_input_text, setting
from execution.nodes.vision_steps import VisionSteps
from execution.outputs import NodeOutput, ProviderCall
from execution.prompts.describe import DescribeMode, describe_prompt
from execution.prompts.generate_image import generation_request
from execution.prompts.replace import text_swap_prompt, vision_replace_prompt
from execution.providers.image_generation import PlannedRequest
from execution.registry import ExecutorSpec, NodeCategory

log = logging.getLogger("flowexec.nodes.image")

IMAGE_SETTING = "image"
PERSONA_IMAGE_SETTING = "personaImage"


async def image_describer(ctx: NodeContext) -> NodeOutput:
    steps = VisionSteps(ctx)
    reference, reference_name = setting_image_bytes(ctx, IMAGE_SETTING), f"'{IMAGE_SETTING}'"
    persona, persona_name = setting_image_bytes(ctx, PERSONA_IMAGE_SETTING), f"'{PERSONA_IMAGE_SETTING}'"
    if reference is None:  # an image node upstream (imageGenerator → imageDescriber)
        upstream = upstream_image(ctx)
        if upstream is not None:
            reference, reference_name = upstream.data, "upstream image"
    if setting(ctx.data, "imageType").lower() == "persona" and persona is None:
        reference, persona, persona_name = None, reference, reference_name
    if reference is not None and persona is not None:
        mode, images, names = (DescribeMode.REFERENCE_AND_PERSONA, [reference, persona],
                               [reference_name, persona_name])
    elif reference is not None:
        mode, images, names = DescribeMode.REFERENCE, [reference], [reference_name]
    elif persona is not None:
        mode, images, names = DescribeMode.PERSONA, [persona], [persona_name]
    else:
        raise InvalidNodeInput(f"No image: looked at the node's '{IMAGE_SETTING}' and '{PERSONA_IMAGE_SETTING}' "
                               "settings and its upstream nodes' outputs; add an image to the node or connect "
                               "a node that outputs one")
    # The image shown with the description; checked first, so a bad image fails before any model is paid for.
    out_image = (await prepare_image(ctx, images[0], NODE_OUTPUT, what=names[0])).image
    if steps.uses_florence():
        return steps.output(await steps.florence(images[0], what=names[0]), image=out_image)
    prompt = describe_prompt(mode, steps.dialect(), setting(ctx.data, "notes"))
    return steps.output(await steps.vision(prompt, images, what=names), image=out_image)


async def image_generator(ctx: NodeContext) -> NodeOutput:
    request = generation_request(merge_input_text(ctx.inputs) or setting(ctx.data, "prompt"), ctx.data)
    images = ctx.services.images
    choice = images.providers.choose(ctx.model.provider_id, ctx.model.model,
                                     explicit=bool(setting(ctx.data, "providerId")))
    planned = choice.provider.plan(choice.model, request)
    for note in planned.notes:  # settings the vendor cannot take as given
        log.info("run %s node %s (%s): %s", ctx.run_id, ctx.node_id, planned.provider_id, note)
    call = ProviderCall(planned.provider_id, planned.model, "generate-image",
                        (ChatMessage("user", request_text(planned)),))
    if ctx.dry_run:
        return NodeOutput(text=request.prompt, dry_run=True, provider_calls=(call,))
    generated = await choice.provider.generate(choice.model, request)
    prepared = await images.processor.from_provider(generated.image.data, NODE_OUTPUT,
                                                    provider=planned.provider_id)
    return NodeOutput(text=request.prompt, image=prepared.image, provider_calls=(call,))


async def personas_replacer(ctx: NodeContext) -> NodeOutput:
    steps = VisionSteps(ctx)
    personas = extract_personas(ctx.adapter_inputs)
    if not personas:
        raise InvalidNodeInput("No character: connect a character node to an adapter input")
    description = merge_input_text(ctx.inputs)
    if description:
        return steps.output(await steps.text(text_swap_prompt(description, personas)))
    upstream = upstream_image(ctx)
    raw = upstream.data if upstream is not None else setting_image_bytes(ctx, IMAGE_SETTING)
    if raw is None:
        raise InvalidNodeInput("Nothing to replace in: connect a node with an image or a description, "
                               "or add an image to the node")
    what = "upstream image" if upstream is not None else f"'{IMAGE_SETTING}'"
    return steps.output(await steps.vision(vision_replace_prompt(personas), [raw], what=[what]))


def request_text(planned: PlannedRequest) -> str:
    """The request body exactly as sent (JSON), for ProviderCall.messages."""
    return json.dumps(dict(planned.body), ensure_ascii=False, separators=(", ", ": "))


EXECUTORS = [
    ExecutorSpec("imageDescriber", image_describer, NodeCategory.IMAGE,
                 "Describes the node's image with a vision model (or Florence-2); outputs text and image.",
                 calls_provider=True),
    ExecutorSpec("imageGenerator", image_generator, NodeCategory.IMAGE,
                 "Generates an image from the upstream text or the prompt (FLUX via HF or Fireworks, GLM).",
                 calls_provider=True),
    ExecutorSpec("personasReplacer", personas_replacer, NodeCategory.IMAGE,
                 "Rewrites the upstream description, or describes the image, with the adapter characters.",
                 calls_provider=True),
]
