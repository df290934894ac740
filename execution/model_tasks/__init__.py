"""Task-based model selection (seed 002): a model field may name a task (`task:translation`)
instead of a model; the task table, by the run's execution mode (`eco`: local models through
Ollama; `fast`: cloud models through OpenRouter), says which provider and model serve it.

- `mode.py`: ExecutionMode and how a node's and a request's choice combine.
- `table.py`: the table (data: `default_tasks.json`, overridable by settings), its checks
  (always-local tasks never name a cloud provider) and selection.
- `settings.py`: FLOWEXEC_EXECUTION_MODE and FLOWEXEC_MODEL_TASKS, read at start-up.
"""
