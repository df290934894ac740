"""Scene prompt blocks for the sceneBuilder node: one block per dropdown value.

Each block is written for text-to-image models (FLUX, SDXL-class): concrete visual
nouns and adjectives, photographic vocabulary where it steers composition, no
instructions to a chat model. compose_scene_prompt joins the chosen blocks, in key order,
with a blank line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCENE_KEYS: tuple[str, ...] = (
    "imageStyle", "lighting", "timeOfDay", "weather", "cameraAngle", "cameraLens", "mood",
)

# Labels used when a value has no block (an editor option newer than this server).
SCENE_KEY_LABELS: Mapping[str, str] = {
    "imageStyle": "Style", "lighting": "Lighting", "timeOfDay": "Time of day", "weather": "Weather",
    "cameraAngle": "Camera angle", "cameraLens": "Lens", "mood": "Mood",
}

SCENE_PROMPT_BLOCKS: Mapping[str, Mapping[str, str]] = {
    "imageStyle": {
        "photorealistic": "Photorealistic photograph, true-to-life textures and skin detail, natural color "
        "rendition, shot on a full-frame camera, sharp focus, high dynamic range.",
        "cinematic": "Cinematic film still, anamorphic widescreen framing, rich color grading with teal "
        "shadows and warm highlights, subtle film grain, production-design detail.",
        "anime": "Anime illustration, clean confident line art, cel shading with crisp shadow shapes, vivid "
        "saturated palette, expressive eyes, detailed painted background.",
        "digital-painting": "Digital painting, visible expressive brushstrokes, painterly edges, layered "
        "color, concept-art finish with atmospheric depth.",
        "oil-painting": "Classical oil painting on canvas, impasto texture, glazed layers of pigment, "
        "chiaroscuro modelling, museum-quality fine art.",
        "watercolor": "Watercolor painting, soft wet-on-wet washes, blooming pigment edges, visible paper "
        "grain, airy translucent color and white paper highlights.",
        "3d-render": "High-end 3D render, physically based materials, global illumination, soft ambient "
        "occlusion, octane-style clarity, subsurface scattering on skin.",
        "comic": "Comic-book art, bold inked outlines, halftone dot shading, dynamic panel-ready "
        "composition, flat punchy colors.",
        "pixel-art": "Pixel art, limited retro palette, crisp hard-edged pixels, no anti-aliasing, 16-bit "
        "game aesthetic with deliberate dithering.",
        "line-art": "Minimal black ink line art on white, precise contour lines, no shading, elegant "
        "economy of stroke.",
        "fantasy-art": "Epic fantasy illustration, ornate detail, luminous magical atmosphere, heroic "
        "scale, painted in the tradition of classic book-cover art.",
    },
    "lighting": {
        "natural": "Soft natural daylight, true colors, gentle shadows, even exposure.",
        "golden-hour": "Warm golden-hour sunlight raking low across the scene, long soft shadows, glowing "
        "rim light on hair and edges.",
        "studio": "Three-point studio lighting, large softbox key light, subtle fill, clean separation "
        "from a seamless backdrop.",
        "dramatic": "Dramatic high-contrast lighting, a single hard key light, deep sculpted shadows, "
        "chiaroscuro.",
        "neon": "Neon lighting, saturated magenta and cyan glows, colored reflections on wet surfaces, "
        "deep surrounding darkness.",
        "backlit": "Strong backlight, glowing halo rim around the subject, lens flare, silhouetted edges "
        "and luminous translucent details.",
        "candlelight": "Flickering candlelight, warm amber pools of light, soft falloff into velvety "
        "shadow, intimate glow on faces.",
        "volumetric": "Volumetric light, visible god rays cutting through haze and dust, atmospheric depth.",
        "moonlight": "Cool silver-blue moonlight, low-key exposure, soft edge highlights, quiet nocturnal "
        "shadows.",
        "overcast": "Diffuse overcast light, shadowless and soft, muted even tones.",
    },
    "timeOfDay": {
        "dawn": "At dawn, pale pink and lavender sky, first light on the horizon, cool air and dew.",
        "morning": "In the fresh morning, clear bright light, crisp air, long gentle shadows.",
        "noon": "At midday, high sun overhead, short crisp shadows, bright saturated colors.",
        "afternoon": "In the warm afternoon, slanted sunlight, relaxed lived-in atmosphere.",
        "sunset": "At sunset, the sky ablaze in orange, crimson and violet, sun touching the horizon, "
        "silhouettes against the glow.",
        "blue-hour": "During the blue hour, deep cobalt twilight sky, city lights and windows starting to "
        "glow.",
        "night": "At night, dark starry sky, pools of artificial light, deep blue-black shadows.",
        "midnight": "At midnight, near-total darkness, a single light source, hushed and still.",
    },
    "weather": {
        "clear": "Clear weather, cloudless sky, crisp visibility to the horizon.",
        "cloudy": "Cloudy sky, layered textured clouds, softened sunlight.",
        "rain": "Steady rain, wet reflective surfaces, rain streaks catching the light, puddles with "
        "ripples.",
        "storm": "Violent thunderstorm, churning dark clouds, a lightning bolt splitting the sky, "
        "wind-whipped rain.",
        "snow": "Falling snow, soft flakes drifting through the air, fresh powder blanketing every "
        "surface, breath visible in cold air.",
        "fog": "Dense fog, silhouettes dissolving into grey-white haze, strong atmospheric perspective.",
        "mist": "Light morning mist hanging low over the ground, softened distant forms.",
        "sandstorm": "Swirling sandstorm, ochre dust-filled air, diffused orange sun, grit in the wind.",
    },
    "cameraAngle": {
        "eye-level": "Eye-level shot, natural perspective, straight-on engagement with the subject.",
        "low-angle": "Low-angle shot looking up at the subject, making it tower, powerful and imposing.",
        "high-angle": "High-angle shot looking down on the subject, revealing the surroundings, a sense of "
        "vulnerability.",
        "birds-eye": "Bird's-eye view from directly overhead, graphic top-down composition.",
        "dutch-angle": "Dutch angle, tilted horizon, uneasy dynamic tension.",
        "over-the-shoulder": "Over-the-shoulder shot, the foreground shoulder softly out of focus framing "
        "the subject.",
        "close-up": "Close-up framing on the face, emotion and fine detail filling the frame.",
        "wide-shot": "Wide establishing shot, the subject small within a vast environment.",
        "full-body": "Full-body shot, the subject framed head to toe with room to breathe.",
    },
    "cameraLens": {
        "14mm": "Shot on a 14mm ultra-wide lens, exaggerated perspective, sweeping expansive field of view.",
        "24mm": "Shot on a 24mm wide-angle lens, environmental context, slight perspective stretch at the "
        "edges.",
        "35mm": "Shot on a 35mm lens, natural documentary field of view, subject in context.",
        "50mm": "Shot on a 50mm prime lens, perspective close to the human eye, honest proportions.",
        "85mm": "Shot on an 85mm portrait lens at f/1.8, flattering compression, creamy bokeh background.",
        "135mm": "Shot on a 135mm telephoto lens, strong background compression, isolated subject.",
        "macro": "Macro lens, extreme close detail, razor-thin depth of field, textures magnified.",
        "fisheye": "Fisheye lens, strong barrel distortion, 180-degree curved horizon.",
        "tilt-shift": "Tilt-shift lens, selective focus band, miniature-model effect.",
    },
    "mood": {
        "serene": "Serene, calm and peaceful mood, balanced composition, soft harmonious colors.",
        "mysterious": "Mysterious mood, secrets half-hidden in shadow, intriguing and enigmatic.",
        "epic": "Epic, awe-inspiring mood, grand scale, heroic momentum.",
        "melancholic": "Melancholic mood, wistful and quiet, desaturated palette, a sense of loss.",
        "joyful": "Joyful mood, bright playful energy, warm cheerful colors, genuine smiles.",
        "romantic": "Romantic mood, tender intimacy, soft warm glow, dreamy atmosphere.",
        "eerie": "Eerie, unsettling mood, something subtly wrong, cold sickly tones.",
        "dreamy": "Dreamy, ethereal mood, soft focus haze, pastel light, floating quality.",
        "tense": "Tense, suspenseful mood, tight framing, held breath before action.",
        "nostalgic": "Nostalgic mood, faded warm film tones, a memory of another time.",
    },
}


def normalize_value(value: str) -> str:
    return value.strip().lower().replace("_", "-").replace(" ", "-")


def scene_block(key: str, value: str) -> str:
    """The block for key=value; a value without a block is kept as a plain phrase."""
    if not value or normalize_value(value) in ("none", "any", "default"):
        return ""
    block = SCENE_PROMPT_BLOCKS.get(key, {}).get(normalize_value(value))
    return block if block is not None else f"{SCENE_KEY_LABELS.get(key, key)}: {value.strip()}."


def compose_scene_prompt(settings: Mapping[str, Any]) -> str:
    blocks = []
    for key in SCENE_KEYS:
        value = settings.get(key)
        if isinstance(value, str):
            block = scene_block(key, value)
            if block:
                blocks.append(block)
    return "\n\n".join(blocks)
