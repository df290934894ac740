"""Third-party node types: Python packages exposing NodeSpecs under the entry-point group
`flowexec.nodes`, loaded at start-up when the operator allows it.

A plugin package declares, in its pyproject.toml,

    [project.entry-points."flowexec.nodes"]
    example = "flowexec_plugin_example:NODE_SPECS"

naming a NodeSpec, a sequence of NodeSpecs, or a callable returning either (called with no
arguments). `load_plugins` reads the group with importlib.metadata — nothing registers itself on
import — and returns the specs it accepts with a report per plugin; the server extends the
built-in registry with them (execution.nodes.registry: each type's origin is `plugin:<name>`).

A plugin is refused whole, reported (logged, and listed with its error in the catalogue:
ListNodeTypes) and left out, while the built-ins and every other plugin load, when:
- loading it raises (an import error, a bug at import time) or it names no NodeSpecs;
- one of its node types is a built-in's name, another plugin's, or appears twice in it
  (a clash is never resolved by order: which node type a flow gets must not depend on it);
- a spec's settings record has no JSON schema (the catalogue could not list it).
With an allow-list (FLOWEXEC_PLUGINS: entry-point or distribution names), only the plugins it
names load; a name that matches no installed plugin is reported too (a typo should be seen).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from execution.nodes.catalog import describe
from execution.nodes.registry import NodeRegistry
from execution.nodes.spec import NodeSpec
from execution.quoting import truncate_utf8

log = logging.getLogger("flowexec.plugins")

GROUP = "flowexec.nodes"
PLUGIN_ORIGIN = "plugin:"
# A plugin's error, as reported (a traceback goes to the log only).
MAX_ERROR_BYTES = 500


@dataclass(frozen=True, slots=True)
class PluginReport:
    """One plugin: what it added, or why it was refused (`error`)."""

    # The entry point's name (its origin in the catalogue is `plugin:<name>`).
    name: str
    # The distribution (package) that provides it, and its version; "" when unknown.
    distribution: str = ""
    version: str = ""
    node_types: tuple[str, ...] = ()
    error: str = ""

    @property
    def loaded(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class PluginLoad:
    registry: NodeRegistry
    reports: tuple[PluginReport, ...]


def load_plugins(registry: NodeRegistry, allow: Collection[str] = (), *, group: str = GROUP) -> PluginLoad:
    """`registry` extended with the node types of the installed plugins (only those `allow`
    names, when it names any), and a report per plugin."""
    wanted = {_normal(name) for name in allow if name.strip()}
    found = sorted(entry_points(group=group), key=lambda ep: (ep.name, _dist(ep)[0]))
    reports: list[PluginReport] = []
    seen: set[str] = set()
    for ep in found:
        dist, version = _dist(ep)
        if wanted and not wanted & {_normal(ep.name), _normal(dist)}:
            log.info("plugin %s (%s) not loaded: FLOWEXEC_PLUGINS does not name it", ep.name, dist or "?")
            continue
        seen.update({_normal(ep.name), _normal(dist)})
        report, specs = _load(ep, dist, version, registry)
        if report.loaded:
            registry = registry.extended(specs, origin=f"{PLUGIN_ORIGIN}{ep.name}")
            log.info("plugin %s (%s %s) loaded: %s", ep.name, dist or "?", version or "?", ", ".join(report.node_types))
        else:
            log.error("plugin %s (%s) not loaded: %s", ep.name, dist or "?", report.error)
        reports.append(report)
    for name in sorted(wanted - seen):
        report = PluginReport(name, error=f"FLOWEXEC_PLUGINS names {name!r}, but no installed plugin (entry point "
                                          f"group {group!r}) has that name")
        log.error("plugin %s not loaded: %s", name, report.error)
        reports.append(report)
    return PluginLoad(registry, tuple(reports))


def _load(ep: EntryPoint, dist: str, version: str,
          registry: NodeRegistry) -> tuple[PluginReport, list[NodeSpec[Any]]]:
    """The plugin's report and specs; both list node types only when every check passed."""
    try:
        specs = _specs(ep.load())
    except Exception as exc:  # whatever a third party's import raises: reported, never fatal
        log.warning("plugin %s: loading %s raised", ep.name, ep.value, exc_info=True)
        return PluginReport(ep.name, dist, version, error=_error(f"loading {ep.value} failed: "
                                                                 f"{type(exc).__name__}: {exc}")), []
    names = [spec.node_type for spec in specs]
    problems = [f"node type {n!r} is declared twice" for n in sorted({n for n in names if names.count(n) > 1})]
    for spec in specs:
        if spec.node_type in registry:
            origin = registry.origin(spec.node_type)
            owner = "a built-in node type" if not origin.startswith(PLUGIN_ORIGIN) else f"a node type of {origin}"
            problems.append(f"node type {spec.node_type!r} clashes with {owner}")
        try:
            describe(spec)
        except Exception as exc:  # its settings record cannot be listed
            problems.append(f"node type {spec.node_type!r} cannot be described: {type(exc).__name__}: {exc}")
    if problems:
        return PluginReport(ep.name, dist, version, error=_error("; ".join(problems))), []
    return PluginReport(ep.name, dist, version, node_types=tuple(names)), specs


def _specs(loaded: Any) -> list[NodeSpec[Any]]:
    """What an entry point names, as NodeSpecs; TypeError when it is something else."""
    if callable(loaded) and not isinstance(loaded, NodeSpec):
        loaded = loaded()
    items: Iterable[Any] = (loaded,) if isinstance(loaded, NodeSpec) else loaded
    if isinstance(loaded, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"it names {type(loaded).__name__}, not NodeSpecs")
    specs = list(items)
    for item in specs:
        if not isinstance(item, NodeSpec):
            raise TypeError(f"it names {type(item).__name__} among its NodeSpecs")
    if not specs:
        raise TypeError("it names no NodeSpecs")
    return specs


def _dist(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    return (dist.name, dist.version) if dist is not None else ("", "")


def _normal(name: str) -> str:
    """Names compared as pip compares distribution names (case, `-`, `_` and `.` alike)."""
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _error(text: str) -> str:
    return truncate_utf8(" ".join(text.split()), MAX_ERROR_BYTES)
