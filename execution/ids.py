"""Identifier types: node, flow and run ids are distinct types, never bare strings."""

from __future__ import annotations

import uuid
from typing import NewType

NodeId = NewType("NodeId", str)
EdgeId = NewType("EdgeId", str)
FlowId = NewType("FlowId", str)
RunId = NewType("RunId", str)


def new_run_id() -> RunId:
    """A fresh, globally unique run id."""
    return RunId(uuid.uuid4().hex)
