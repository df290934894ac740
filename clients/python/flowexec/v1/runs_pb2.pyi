import datetime

from flowexec.v1 import events_pb2 as _events_pb2
from flowexec.v1 import graph_pb2 as _graph_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATE_UNSPECIFIED: _ClassVar[RunState]
    RUN_STATE_QUEUED: _ClassVar[RunState]
    RUN_STATE_RUNNING: _ClassVar[RunState]
    RUN_STATE_SUCCEEDED: _ClassVar[RunState]
    RUN_STATE_FAILED: _ClassVar[RunState]
    RUN_STATE_CANCELLED: _ClassVar[RunState]
    RUN_STATE_INTERRUPTED: _ClassVar[RunState]
RUN_STATE_UNSPECIFIED: RunState
RUN_STATE_QUEUED: RunState
RUN_STATE_RUNNING: RunState
RUN_STATE_SUCCEEDED: RunState
RUN_STATE_FAILED: RunState
RUN_STATE_CANCELLED: RunState
RUN_STATE_INTERRUPTED: RunState

class RunNode(_message.Message):
    __slots__ = ("node_id", "status", "reason", "message", "retryable", "output")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    status: _events_pb2.NodeStatus
    reason: _events_pb2.StatusReason
    message: str
    retryable: bool
    output: _graph_pb2.NodeOutput
    def __init__(self, node_id: _Optional[str] = ..., status: _Optional[_Union[_events_pb2.NodeStatus, str]] = ..., reason: _Optional[_Union[_events_pb2.StatusReason, str]] = ..., message: _Optional[str] = ..., retryable: _Optional[bool] = ..., output: _Optional[_Union[_graph_pb2.NodeOutput, _Mapping]] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("run_id", "flow_id", "owner", "parent_run_id", "state", "nodes", "counts", "created_time", "started_time", "finished_time", "last_seq", "fully_stored", "dry_run")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    STARTED_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISHED_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    FULLY_STORED_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    flow_id: str
    owner: str
    parent_run_id: str
    state: RunState
    nodes: _containers.RepeatedCompositeFieldContainer[RunNode]
    counts: _events_pb2.StatusCounts
    created_time: _timestamp_pb2.Timestamp
    started_time: _timestamp_pb2.Timestamp
    finished_time: _timestamp_pb2.Timestamp
    last_seq: int
    fully_stored: bool
    dry_run: bool
    def __init__(self, run_id: _Optional[str] = ..., flow_id: _Optional[str] = ..., owner: _Optional[str] = ..., parent_run_id: _Optional[str] = ..., state: _Optional[_Union[RunState, str]] = ..., nodes: _Optional[_Iterable[_Union[RunNode, _Mapping]]] = ..., counts: _Optional[_Union[_events_pb2.StatusCounts, _Mapping]] = ..., created_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seq: _Optional[int] = ..., fully_stored: _Optional[bool] = ..., dry_run: _Optional[bool] = ...) -> None: ...
