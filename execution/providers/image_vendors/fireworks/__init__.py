"""Fireworks: FLUX.1 schnell / dev text-to-image.

    profile.py    base URL, models and aliases, the aspect ratios it takes
    provider.py   FireworksImages
    errors.py     the vendor's one error boundary (drawn there)
"""
