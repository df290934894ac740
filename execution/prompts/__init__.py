"""Prompt text as data: scene blocks and the LLM templates, each in its own module."""
