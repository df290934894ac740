"""Every third-party module the shipped packages import is provided by a declared dependency.

Imports are read from the source (function-level imports included, so the lazily loaded SDKs
count); each module is mapped to the distributions that provide it in this environment and
one of them must be in pyproject's `[project] dependencies`.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("execution", "server", "clients/python/flowexec")  # pyproject's packages
FIRST_PARTY = {"execution", "server", "flowexec", "__future__"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonical(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]) for requirement in project["dependencies"]}


def third_party_imports() -> dict[str, set[str]]:
    """Top-level module → files importing it."""
    found: dict[str, set[str]] = {}
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in FIRST_PARTY and top not in sys.stdlib_module_names:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_a_declared_dependency() -> None:
    providers = metadata.packages_distributions()
    wanted = declared()
    undeclared = {module: sorted(files) for module, files in third_party_imports().items()
                  if not {canonical(d) for d in providers.get(module, [])} & wanted}
    assert not undeclared, f"imported but not declared in pyproject.toml (module: files): {undeclared}"
