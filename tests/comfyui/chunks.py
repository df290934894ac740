"""A seed 002 output chunk for tests: an SD3.5-style text-to-image workflow whose prompt comes
from {{PREVIOUS_OUTPUT}}, with width, height, steps, seed and negative prompt as mappings."""

from __future__ import annotations

import copy
from typing import Any

SD35_CHUNK: dict[str, Any] = {
    "name": "output_image_sd35",
    "type": "output_chunk",
    "backend_type": "comfyui",
    "media_type": "image",
    "workflow": {
        "1": {"class_type": "CLIPTextEncode", "_meta": {"title": "Positive"},
              "inputs": {"text": ["10", 0], "clip": ["9", 0]}},
        "2": {"class_type": "VAEDecode", "inputs": {"samples": ["8", 0], "vae": ["5", 2]}},
        "3": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "4": {"class_type": "SaveImage", "_meta": {"title": "Save Image"},
              "inputs": {"filename_prefix": "ComfyUI", "images": ["2", 0]}},
        "5": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd3.5_large.safetensors"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ["11", 0], "clip": ["9", 0]}},
        "8": {"class_type": "KSampler", "_meta": {"title": "Sampler"},
              "inputs": {"seed": 123456789, "steps": 25, "cfg": 5.5, "sampler_name": "euler", "scheduler": "normal",
                         "denoise": 1, "model": ["5", 0], "positive": ["1", 0], "negative": ["6", 0],
                         "latent_image": ["3", 0]}},
        "9": {"class_type": "DualCLIPLoader",
              "inputs": {"clip_name1": "clip_g.safetensors", "clip_name2": "t5xxl_enconly.safetensors", "type": "sd3"}},
        "10": {"class_type": "PrimitiveString", "_meta": {"title": "positive_prompt"}, "inputs": {"value": ""}},
        "11": {"class_type": "PrimitiveString", "_meta": {"title": "negative_prompt"}, "inputs": {"value": ""}},
    },
    "input_mappings": {
        "prompt": {"node_id": "10", "field": "inputs.value", "source": "{{PREVIOUS_OUTPUT}}"},
        "negative_prompt": {"node_id": "11", "field": "inputs.value", "default": "blurry, watermark"},
        "width": {"node_id": "3", "field": "inputs.width", "default": 1024},
        "height": {"node_id": "3", "field": "inputs.height", "default": 1024},
        "steps": {"node_id": "8", "field": "inputs.steps", "default": 25},
        "seed": {"node_id": "8", "field": "inputs.seed", "default": 123456789},
    },
    "output_mapping": {"node_id": "4", "output_type": "image", "format": "png"},
}


def sd35_chunk(**changes: Any) -> dict[str, Any]:
    """A deep copy of SD35_CHUNK, top-level keys replaced by `changes`."""
    return {**copy.deepcopy(SD35_CHUNK), **changes}
