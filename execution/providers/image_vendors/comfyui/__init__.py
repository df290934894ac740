"""ComfyUI: workflows run on a ComfyUI server (COMFYUI_BASE_URL), images returned as bytes.

    chunk.py      output chunks (seed 002): workflow + input_mappings + output_mapping; checks
                  the mappings against the workflow and fills in the values
    profile.py    checkpoints, and the default text-to-image workflow imageGenerator fills
    api.py        ComfyUI's HTTP routes (/prompt, /queue, /history, /view, /interrupt)
    messages.py   its websocket messages as typed records
    socket.py     one websocket per server, shared by every prompt followed there
    runner.py     one workflow: idempotent submit, follow (socket, else history polling),
                  fetch the files, interrupt or dequeue when abandoned
    provider.py   ComfyUiImages: the `comfyui` row of vendor_table, and `run_chunk`
    errors.py     the vendor's one error boundary (drawn there)
"""
