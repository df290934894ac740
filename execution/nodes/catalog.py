"""The registry the server runs with, assembled from each node family's explicit list."""

from __future__ import annotations

from execution.nodes import data_sources, diagnostics, image, output, text
from execution.registry import ExecutorRegistry


def default_registry(*, diagnostic_nodes: bool = False) -> ExecutorRegistry:
    specs = [*data_sources.EXECUTORS, *text.EXECUTORS, *image.EXECUTORS, *output.EXECUTORS]
    if diagnostic_nodes:
        specs += diagnostics.EXECUTORS
    return ExecutorRegistry(specs)
