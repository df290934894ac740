"""Image vendors (text-to-image and captioning over their own HTTP APIs), one folder each,
as the LLM vendors are (openai_compat/, claude/):

    huggingface/, glm/, fireworks/, comfyui/
                        each: profile.py (base URL, models, the sizes or ratios it takes),
                        provider.py (its client: plan and send), errors.py (its one error
                        boundary, drawn there); comfyui/ also runs seed 002's output chunks
    vendor_table.py     the rows: vendor id → class, the editor's other spellings
    image_providers.py  ImageProviders (the vendors of one process, which one a node uses)
                        and ImageServices (them plus the Pillow processor: Services.images)
    image_settings.py   base URLs, default vendor, Florence-2 model, image threads
    generation.py       GenerationRequest / PlannedRequest and the vendor protocol
    http.py             shared plumbing: the one httpx2 client, capped reads, error text,
                        the transport half of every boundary, the vendors' base class

Nothing is imported here, so a vendor folder can be imported on its own.
"""
