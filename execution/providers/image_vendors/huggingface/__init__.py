"""HuggingFace inference for images: FLUX text-to-image and Florence-2 captioning.

    profile.py    base URL, models and aliases, the repo-id rule
    provider.py   HuggingFaceImages (text-to-image), FlorenceCaptioner (image-to-text)
    errors.py     the vendor's one error boundary (drawn there)
"""
