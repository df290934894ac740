"""ParsedSettings: settings records parsed before — with the ports and join policy they give —
kept across runs by the text of their data.

A flow's nodes are wired again each run (execution.wiring), and a client sends the same settings
run after run; parsing a record through pydantic costs microseconds per node (a case node's
branches, a merge's policy), a lookup far less. An engine keeps one ParsedSettings.

Only settings that validation found to be small plain JSON are kept (execution.graph.validate:
`Graph.plain_settings`, at most PLAIN_SETTINGS_MAX_BYTES), keyed by node type and `repr(data)`: for plain JSON (str, int, finite
float, bool, None, lists, objects with str keys) repr is exact — 1, 1.0 and True differ, and key
order is kept. A record is frozen, so one instance serves every node with those settings, as a
type's record for empty settings already does (NodeSpec.parse_settings). A record is kept with
its spec and used for that spec only (a registry may be replaced); settings that do not parse
are not kept (the next run raises the same InvalidSettings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from execution.nodes.ports import JoinPolicy, NodePorts
from execution.nodes.setting_types import NodeSettings
from execution.nodes.spec import NodeSpec

# Records kept; past it the oldest goes.
MAX_KEPT = 1024


class Parsed(NamedTuple):
    spec: NodeSpec[Any]
    settings: NodeSettings
    # spec.node_ports(settings) and spec.join_policy(settings)
    ports: NodePorts
    join: JoinPolicy


class ParsedSettings:
    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self._kept: dict[tuple[str, str], Parsed] = {}
        self._max_kept = max_kept

    def parse(self, spec: NodeSpec[Any], data: Mapping[str, Any]) -> Parsed:
        """spec.parse_settings(data), with its ports and join policy, for small plain-JSON `data`
        (the caller knows it is); InvalidSettings as parse_settings raises it."""
        key = (spec.node_type, repr(data))
        kept = self._kept.get(key)
        if kept is not None and kept.spec is spec:
            return kept
        settings = spec.parse_settings(data)
        parsed = Parsed(spec, settings, spec.node_ports(settings), spec.join_policy(settings))
        kept_records = self._kept
        if len(kept_records) >= self._max_kept and key not in kept_records:
            del kept_records[next(iter(kept_records))]
        kept_records[key] = parsed
        return parsed

    def __len__(self) -> int:
        return len(self._kept)
