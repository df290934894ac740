"""Size and concurrency limits a run is held to (policy as data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_nodes: int = 2000
    max_edges: int = 10000
    # Bytes of one node's settings as received (an image in `data` counts).
    max_node_data_bytes: int = 16 * 1024 * 1024
    # Nodes executing at once in one run: the default and the ceiling a request may ask for.
    default_concurrency: int = 16
    max_concurrency: int = 256
    # UTF-8 bytes of text one node may receive from its inputs, stream, or output (execution.text_limits).
    max_node_text_bytes: int = 1024 * 1024
    # UTF-8 bytes of text RunCompleted repeats, over all outputs; the rest go without their text.
    max_summary_text_bytes: int = 4 * 1024 * 1024
    # Events a run may queue ahead of its reader before it waits for it (execution.stream).
    stream_high_water: int = 4096
    # Per user (RunOptions.owner): nodes running at once over all of the user's runs
    # (execution.ratelimit.user_caps). 0 = no cap. (A user's executing runs are capped by the
    # run manager: RunPolicy.max_active_runs_per_owner.)
    max_running_nodes_per_user: int = 0

    def concurrency_for(self, requested: int) -> int:
        if requested <= 0:
            return self.default_concurrency
        return min(requested, self.max_concurrency)
