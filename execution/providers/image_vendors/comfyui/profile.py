"""What ComfyUI takes as an imageGenerator vendor: a checkpoint for a model, and the default
text-to-image workflow (ComfyUI's own default graph, in API format) as an output chunk whose
mappings take the node's settings.

A model is a checkpoint file name as ComfyUI lists it (`sd_xl_base_1.0.safetensors`,
`SD3.5/sd3.5_large.safetensors`); anything else (a text model of another provider that a
flow-wide model setting handed down) means the default checkpoint. Every setting has a place:
width, height, steps, seed, guidance (`cfg`) and the negative prompt.
"""

from __future__ import annotations

from typing import Any

from execution.providers.image_vendors.comfyui.chunk import OutputChunk

DEFAULT_CHECKPOINT = "sd_xl_base_1.0.safetensors"
CHECKPOINT_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".sft", ".gguf", ".bin")

# GenerationRequest field → input mapping of DEFAULT_CHUNK (the prompt and checkpoint are always set).
REQUEST_MAPPINGS = {"width": "width", "height": "height", "steps": "steps", "seed": "seed",
                    "guidance_scale": "cfg", "negative_prompt": "negative_prompt"}

DEFAULT_CHUNK_DATA: dict[str, Any] = {
    "name": "flowexec_default_txt2img",
    "backend_type": "comfyui",
    "media_type": "image",
    "workflow": {
        "3": {"class_type": "KSampler", "_meta": {"title": "KSampler"},
              "inputs": {"seed": 0, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
                         "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
                         "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"},
              "inputs": {"ckpt_name": DEFAULT_CHECKPOINT}},
        "5": {"class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"},
              "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "_meta": {"title": "Positive prompt"},
              "inputs": {"text": "", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "_meta": {"title": "Negative prompt"},
              "inputs": {"text": "", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "_meta": {"title": "VAE Decode"},
              "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "_meta": {"title": "Save Image"},
              "inputs": {"filename_prefix": "flowexec", "images": ["8", 0]}},
    },
    "input_mappings": {
        "prompt": {"node_id": "6", "field": "inputs.text", "source": "{{PREVIOUS_OUTPUT}}"},
        "negative_prompt": {"node_id": "7", "field": "inputs.text", "default": ""},
        "width": {"node_id": "5", "field": "inputs.width"},
        "height": {"node_id": "5", "field": "inputs.height"},
        "steps": {"node_id": "3", "field": "inputs.steps"},
        "cfg": {"node_id": "3", "field": "inputs.cfg"},
        "seed": {"node_id": "3", "field": "inputs.seed"},
        "checkpoint": {"node_id": "4", "field": "inputs.ckpt_name"},
    },
    "output_mapping": {"node_id": "9", "output_type": "image"},
}
DEFAULT_CHUNK = OutputChunk.parse(DEFAULT_CHUNK_DATA, what="default workflow")


def checkpoint(model: str, default: str) -> str:
    """The checkpoint for `model` (empty, or not a checkpoint file name: `default`)."""
    model = model.strip()
    return model if model.lower().endswith(CHECKPOINT_SUFFIXES) else default


def node_titles(workflow: Any) -> dict[str, str]:
    """Node id → its title (`_meta.title`, else its class), for progress labels."""
    titles: dict[str, str] = {}
    for node_id, node in (workflow or {}).items():
        meta = node.get("_meta") if isinstance(node, dict) else None
        title = meta.get("title") if isinstance(meta, dict) else None
        titles[str(node_id)] = str(title or (node.get("class_type") if isinstance(node, dict) else "") or node_id)
    return titles
