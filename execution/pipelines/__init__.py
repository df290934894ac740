"""Templated pipelines (seed 002): configs, pipelines and chunks as JSON data files, loaded
and checked at start-up, and how one config's pipeline runs on a text.

    configs/<id>.json     a config: its pipeline, localized name/description, context (the
                          instruction text), parameters, optional instruction type / task instruction
    pipelines/<id>.json   an ordered list of chunks, an instruction type, config mappings
    chunks/<id>.json      a template with {{PLACEHOLDERS}}, a backend type, a model (an id or
                          `task:NAME`), parameters — or a ComfyUI output chunk (workflow + mappings)

- `model.py`: the typed records; `schemas.py`: the JSON Schemas the files are checked against.
- `library.py`: loading a directory (or several) into a PipelineLibrary; every problem is a
  ConfigurationError naming file and field, and the server refuses to start.
- `instructions.py`: the Task instruction by priority (config → pipeline → artistic_transformation).
- `placeholders.py`: filling a chunk's template; a placeholder with no value is an error naming it.
- `targets.py`: where a chunk's call goes (its backend's provider, or the task table by mode).
- `runner.py`: running the chunks in order, each one's output the next one's PREVIOUS_OUTPUT.
- `output_chunks.py`: running an output chunk on ComfyUI (through execution.nodes.comfyui).
- `settings.py`: FLOWEXEC_PIPELINES_DIR and FLOWEXEC_PIPELINE_EXAMPLES.

The `pipeline` node type (execution.nodes.pipeline) runs a config by id.
"""
