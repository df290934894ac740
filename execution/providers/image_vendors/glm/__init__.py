"""Z.ai's image API: GLM-Image and CogView-4 text-to-image.

    profile.py    base URL, models, the size rules of each model
    provider.py   GlmImages (generation, then the download of the image it links to)
    errors.py     the vendor's one error boundary (drawn there)
"""
