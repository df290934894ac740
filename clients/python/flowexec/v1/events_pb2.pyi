import datetime

from flowexec.v1 import graph_pb2 as _graph_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NodeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATUS_UNSPECIFIED: _ClassVar[NodeStatus]
    NODE_STATUS_PENDING: _ClassVar[NodeStatus]
    NODE_STATUS_RUNNING: _ClassVar[NodeStatus]
    NODE_STATUS_COMPLETE: _ClassVar[NodeStatus]
    NODE_STATUS_ERROR: _ClassVar[NodeStatus]
    NODE_STATUS_SKIPPED: _ClassVar[NodeStatus]
    NODE_STATUS_CANCELLED: _ClassVar[NodeStatus]

class StatusReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_REASON_UNSPECIFIED: _ClassVar[StatusReason]
    STATUS_REASON_UPSTREAM_FAILED: _ClassVar[StatusReason]
    STATUS_REASON_NO_EXECUTOR: _ClassVar[StatusReason]
    STATUS_REASON_INVALID_INPUT: _ClassVar[StatusReason]
    STATUS_REASON_PROVIDER_ERROR: _ClassVar[StatusReason]
    STATUS_REASON_TIMEOUT: _ClassVar[StatusReason]
    STATUS_REASON_INTERNAL: _ClassVar[StatusReason]
    STATUS_REASON_CLIENT_CANCELLED: _ClassVar[StatusReason]
    STATUS_REASON_DEADLINE_EXCEEDED: _ClassVar[StatusReason]
    STATUS_REASON_SERVER_SHUTDOWN: _ClassVar[StatusReason]
    STATUS_REASON_NOT_CONFIGURED: _ClassVar[StatusReason]
    STATUS_REASON_SERVER_RESTARTED: _ClassVar[StatusReason]
    STATUS_REASON_RATE_LIMITED: _ClassVar[StatusReason]
    STATUS_REASON_BRANCH_NOT_TAKEN: _ClassVar[StatusReason]
    STATUS_REASON_RUN_TIME_LIMIT: _ClassVar[StatusReason]

class WaitReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WAIT_REASON_UNSPECIFIED: _ClassVar[WaitReason]
    WAIT_REASON_RATE_LIMITED: _ClassVar[WaitReason]
    WAIT_REASON_PROVIDER_RETRY_AFTER: _ClassVar[WaitReason]

class StepState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_STATE_UNSPECIFIED: _ClassVar[StepState]
    STEP_STATE_STARTED: _ClassVar[StepState]
    STEP_STATE_COMPLETED: _ClassVar[StepState]
NODE_STATUS_UNSPECIFIED: NodeStatus
NODE_STATUS_PENDING: NodeStatus
NODE_STATUS_RUNNING: NodeStatus
NODE_STATUS_COMPLETE: NodeStatus
NODE_STATUS_ERROR: NodeStatus
NODE_STATUS_SKIPPED: NodeStatus
NODE_STATUS_CANCELLED: NodeStatus
STATUS_REASON_UNSPECIFIED: StatusReason
STATUS_REASON_UPSTREAM_FAILED: StatusReason
STATUS_REASON_NO_EXECUTOR: StatusReason
STATUS_REASON_INVALID_INPUT: StatusReason
STATUS_REASON_PROVIDER_ERROR: StatusReason
STATUS_REASON_TIMEOUT: StatusReason
STATUS_REASON_INTERNAL: StatusReason
STATUS_REASON_CLIENT_CANCELLED: StatusReason
STATUS_REASON_DEADLINE_EXCEEDED: StatusReason
STATUS_REASON_SERVER_SHUTDOWN: StatusReason
STATUS_REASON_NOT_CONFIGURED: StatusReason
STATUS_REASON_SERVER_RESTARTED: StatusReason
STATUS_REASON_RATE_LIMITED: StatusReason
STATUS_REASON_BRANCH_NOT_TAKEN: StatusReason
STATUS_REASON_RUN_TIME_LIMIT: StatusReason
WAIT_REASON_UNSPECIFIED: WaitReason
WAIT_REASON_RATE_LIMITED: WaitReason
WAIT_REASON_PROVIDER_RETRY_AFTER: WaitReason
STEP_STATE_UNSPECIFIED: StepState
STEP_STATE_STARTED: StepState
STEP_STATE_COMPLETED: StepState

class NodeEvent(_message.Message):
    __slots__ = ("run_id", "seq", "time", "run_started", "node_status", "node_output", "text_delta", "run_completed", "run_failed", "node_waiting", "node_progress", "node_step")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    RUN_STARTED_FIELD_NUMBER: _ClassVar[int]
    NODE_STATUS_FIELD_NUMBER: _ClassVar[int]
    NODE_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    RUN_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    RUN_FAILED_FIELD_NUMBER: _ClassVar[int]
    NODE_WAITING_FIELD_NUMBER: _ClassVar[int]
    NODE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    NODE_STEP_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    seq: int
    time: _timestamp_pb2.Timestamp
    run_started: RunStarted
    node_status: NodeStatusChanged
    node_output: NodeOutputProduced
    text_delta: TextDelta
    run_completed: RunCompleted
    run_failed: RunFailed
    node_waiting: NodeWaiting
    node_progress: NodeProgress
    node_step: NodeStep
    def __init__(self, run_id: _Optional[str] = ..., seq: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., run_started: _Optional[_Union[RunStarted, _Mapping]] = ..., node_status: _Optional[_Union[NodeStatusChanged, _Mapping]] = ..., node_output: _Optional[_Union[NodeOutputProduced, _Mapping]] = ..., text_delta: _Optional[_Union[TextDelta, _Mapping]] = ..., run_completed: _Optional[_Union[RunCompleted, _Mapping]] = ..., run_failed: _Optional[_Union[RunFailed, _Mapping]] = ..., node_waiting: _Optional[_Union[NodeWaiting, _Mapping]] = ..., node_progress: _Optional[_Union[NodeProgress, _Mapping]] = ..., node_step: _Optional[_Union[NodeStep, _Mapping]] = ...) -> None: ...

class RunStarted(_message.Message):
    __slots__ = ("flow_id", "planned_node_ids", "cached_node_ids", "dry_run", "parent_run_id")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    PLANNED_NODE_IDS_FIELD_NUMBER: _ClassVar[int]
    CACHED_NODE_IDS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    planned_node_ids: _containers.RepeatedScalarFieldContainer[str]
    cached_node_ids: _containers.RepeatedScalarFieldContainer[str]
    dry_run: bool
    parent_run_id: str
    def __init__(self, flow_id: _Optional[str] = ..., planned_node_ids: _Optional[_Iterable[str]] = ..., cached_node_ids: _Optional[_Iterable[str]] = ..., dry_run: _Optional[bool] = ..., parent_run_id: _Optional[str] = ...) -> None: ...

class NodeStatusChanged(_message.Message):
    __slots__ = ("node_id", "status", "reason", "message", "retryable")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    status: NodeStatus
    reason: StatusReason
    message: str
    retryable: bool
    def __init__(self, node_id: _Optional[str] = ..., status: _Optional[_Union[NodeStatus, str]] = ..., reason: _Optional[_Union[StatusReason, str]] = ..., message: _Optional[str] = ..., retryable: _Optional[bool] = ...) -> None: ...

class NodeOutputProduced(_message.Message):
    __slots__ = ("node_id", "output")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    output: _graph_pb2.NodeOutput
    def __init__(self, node_id: _Optional[str] = ..., output: _Optional[_Union[_graph_pb2.NodeOutput, _Mapping]] = ...) -> None: ...

class NodeWaiting(_message.Message):
    __slots__ = ("node_id", "provider_id", "reason", "estimated_wait_ms")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    provider_id: str
    reason: WaitReason
    estimated_wait_ms: int
    def __init__(self, node_id: _Optional[str] = ..., provider_id: _Optional[str] = ..., reason: _Optional[_Union[WaitReason, str]] = ..., estimated_wait_ms: _Optional[int] = ...) -> None: ...

class TextDelta(_message.Message):
    __slots__ = ("node_id", "chunk")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    chunk: str
    def __init__(self, node_id: _Optional[str] = ..., chunk: _Optional[str] = ...) -> None: ...

class NodeProgress(_message.Message):
    __slots__ = ("node_id", "value", "max", "label", "step")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    value: int
    max: int
    label: str
    step: str
    def __init__(self, node_id: _Optional[str] = ..., value: _Optional[int] = ..., max: _Optional[int] = ..., label: _Optional[str] = ..., step: _Optional[str] = ...) -> None: ...

class NodeStep(_message.Message):
    __slots__ = ("node_id", "index", "count", "name", "state", "text")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    index: int
    count: int
    name: str
    state: StepState
    text: str
    def __init__(self, node_id: _Optional[str] = ..., index: _Optional[int] = ..., count: _Optional[int] = ..., name: _Optional[str] = ..., state: _Optional[_Union[StepState, str]] = ..., text: _Optional[str] = ...) -> None: ...

class StatusCounts(_message.Message):
    __slots__ = ("complete", "error", "skipped", "cancelled")
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    complete: int
    error: int
    skipped: int
    cancelled: int
    def __init__(self, complete: _Optional[int] = ..., error: _Optional[int] = ..., skipped: _Optional[int] = ..., cancelled: _Optional[int] = ...) -> None: ...

class RunCompleted(_message.Message):
    __slots__ = ("outputs", "counts", "duration_ms", "usage", "results")
    class OutputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _graph_pb2.NodeOutput
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_graph_pb2.NodeOutput, _Mapping]] = ...) -> None: ...
    class ResultsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    outputs: _containers.MessageMap[str, _graph_pb2.NodeOutput]
    counts: StatusCounts
    duration_ms: int
    usage: _graph_pb2.TokenUsage
    results: _containers.MessageMap[str, _struct_pb2.Value]
    def __init__(self, outputs: _Optional[_Mapping[str, _graph_pb2.NodeOutput]] = ..., counts: _Optional[_Union[StatusCounts, _Mapping]] = ..., duration_ms: _Optional[int] = ..., usage: _Optional[_Union[_graph_pb2.TokenUsage, _Mapping]] = ..., results: _Optional[_Mapping[str, _struct_pb2.Value]] = ...) -> None: ...

class RunFailed(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: str
    def __init__(self, message: _Optional[str] = ...) -> None: ...
