"""Which Task instruction a pipeline run uses (seed 002's priority, mirroring model selection):

1. the config's own `task_instruction` text;
2. the config's `instruction_type`, else the pipeline's `instruction_type`, looked up in
   execution.prompts.instruction_types;
3. `artistic_transformation`.
"""

from __future__ import annotations

from execution.pipelines.model import Config, Pipeline
from execution.prompts.instruction_types import DEFAULT_INSTRUCTION_TYPE, INSTRUCTION_TYPES


def instruction_type(config: Config, pipeline: Pipeline) -> str:
    return config.instruction_type or pipeline.instruction_type or DEFAULT_INSTRUCTION_TYPE


def task_instruction(config: Config, pipeline: Pipeline) -> str:
    if config.task_instruction:
        return config.task_instruction
    return INSTRUCTION_TYPES[instruction_type(config, pipeline)].text
