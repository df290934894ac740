"""flowexec benchmark suite: every figure is printed as a ratio to a floor measured in the same run.

Run `python -m bench` (see bench/README.md). Nothing here is imported by the engine or the server.
"""
