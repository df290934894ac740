"""What the cache does for one node: use it, refresh it, or leave it alone — decided from the
request's mode, the node's own `cache` setting and its type's default, in that order of force.

    request \\ node   (type default)         use       refresh   bypass
    USE              USE if default, else   USE       REFRESH   BYPASS
                     BYPASS
    REFRESH          REFRESH if default,    REFRESH   REFRESH   BYPASS
                     else BYPASS
    BYPASS           BYPASS                 BYPASS    BYPASS    BYPASS

A dry run is BYPASS whatever is asked: it neither reads nor writes.
"""

from __future__ import annotations

import enum


class CacheMode(enum.Enum):
    """A request's (or one node's) use of the cache."""

    # Read a stored output when there is one; store what is computed.
    USE = "use"
    # Do not read: compute again (sharing a call already in flight), and store the result.
    REFRESH = "refresh"
    # Neither read nor write; the node runs as if there were no cache.
    BYPASS = "bypass"


class NodeCacheChoice(enum.Enum):
    """A node's `cache` setting: its type's default, or a mode of its own."""

    DEFAULT = ""
    USE = "use"
    REFRESH = "refresh"
    BYPASS = "bypass"


def node_mode(request: CacheMode, choice: NodeCacheChoice, type_default: bool, *, dry_run: bool) -> CacheMode:
    """The mode one node runs with (see the table above)."""
    if dry_run or request is CacheMode.BYPASS or choice is NodeCacheChoice.BYPASS:
        return CacheMode.BYPASS
    if choice is NodeCacheChoice.DEFAULT and not type_default:
        return CacheMode.BYPASS
    if request is CacheMode.REFRESH or choice is NodeCacheChoice.REFRESH:
        return CacheMode.REFRESH
    return CacheMode.USE
