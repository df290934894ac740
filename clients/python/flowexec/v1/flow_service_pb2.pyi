from flowexec.v1 import catalog_pb2 as _catalog_pb2
from flowexec.v1 import events_pb2 as _events_pb2
from flowexec.v1 import graph_pb2 as _graph_pb2
from flowexec.v1 import runs_pb2 as _runs_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecutionMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTION_MODE_UNSPECIFIED: _ClassVar[ExecutionMode]
    EXECUTION_MODE_ECO: _ClassVar[ExecutionMode]
    EXECUTION_MODE_FAST: _ClassVar[ExecutionMode]

class CacheMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CACHE_MODE_UNSPECIFIED: _ClassVar[CacheMode]
    CACHE_MODE_USE: _ClassVar[CacheMode]
    CACHE_MODE_REFRESH: _ClassVar[CacheMode]
    CACHE_MODE_BYPASS: _ClassVar[CacheMode]

class OnDisconnect(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ON_DISCONNECT_UNSPECIFIED: _ClassVar[OnDisconnect]
    ON_DISCONNECT_CANCEL: _ClassVar[OnDisconnect]
    ON_DISCONNECT_CONTINUE: _ClassVar[OnDisconnect]
EXECUTION_MODE_UNSPECIFIED: ExecutionMode
EXECUTION_MODE_ECO: ExecutionMode
EXECUTION_MODE_FAST: ExecutionMode
CACHE_MODE_UNSPECIFIED: CacheMode
CACHE_MODE_USE: CacheMode
CACHE_MODE_REFRESH: CacheMode
CACHE_MODE_BYPASS: CacheMode
ON_DISCONNECT_UNSPECIFIED: OnDisconnect
ON_DISCONNECT_CANCEL: OnDisconnect
ON_DISCONNECT_CONTINUE: OnDisconnect

class ExecuteFlowRequest(_message.Message):
    __slots__ = ("flow_id", "nodes", "edges", "provider_id", "trigger_node_id", "cached_outputs", "options", "initial_inputs")
    class CachedOutputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _graph_pb2.NodeOutput
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_graph_pb2.NodeOutput, _Mapping]] = ...) -> None: ...
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    CACHED_OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_INPUTS_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    nodes: _containers.RepeatedCompositeFieldContainer[_graph_pb2.Node]
    edges: _containers.RepeatedCompositeFieldContainer[_graph_pb2.Edge]
    provider_id: str
    trigger_node_id: str
    cached_outputs: _containers.MessageMap[str, _graph_pb2.NodeOutput]
    options: ExecutionOptions
    initial_inputs: _struct_pb2.Struct
    def __init__(self, flow_id: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[_graph_pb2.Node, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[_graph_pb2.Edge, _Mapping]]] = ..., provider_id: _Optional[str] = ..., trigger_node_id: _Optional[str] = ..., cached_outputs: _Optional[_Mapping[str, _graph_pb2.NodeOutput]] = ..., options: _Optional[_Union[ExecutionOptions, _Mapping]] = ..., initial_inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ExecutionOptions(_message.Message):
    __slots__ = ("max_concurrency", "dry_run", "include_provider_calls", "on_disconnect", "cache_mode", "max_execution_ms", "execution_mode")
    MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PROVIDER_CALLS_FIELD_NUMBER: _ClassVar[int]
    ON_DISCONNECT_FIELD_NUMBER: _ClassVar[int]
    CACHE_MODE_FIELD_NUMBER: _ClassVar[int]
    MAX_EXECUTION_MS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_MODE_FIELD_NUMBER: _ClassVar[int]
    max_concurrency: int
    dry_run: bool
    include_provider_calls: bool
    on_disconnect: OnDisconnect
    cache_mode: CacheMode
    max_execution_ms: int
    execution_mode: ExecutionMode
    def __init__(self, max_concurrency: _Optional[int] = ..., dry_run: _Optional[bool] = ..., include_provider_calls: _Optional[bool] = ..., on_disconnect: _Optional[_Union[OnDisconnect, str]] = ..., cache_mode: _Optional[_Union[CacheMode, str]] = ..., max_execution_ms: _Optional[int] = ..., execution_mode: _Optional[_Union[ExecutionMode, str]] = ...) -> None: ...

class ExecuteFlowResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.NodeEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.NodeEvent, _Mapping]]] = ...) -> None: ...

class StartRunRequest(_message.Message):
    __slots__ = ("flow", "idempotency_key")
    FLOW_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    flow: ExecuteFlowRequest
    idempotency_key: str
    def __init__(self, flow: _Optional[_Union[ExecuteFlowRequest, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class StartRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ...) -> None: ...

class WatchRunRequest(_message.Message):
    __slots__ = ("run_id", "after_seq")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    after_seq: int
    def __init__(self, run_id: _Optional[str] = ..., after_seq: _Optional[int] = ...) -> None: ...

class WatchRunResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.NodeEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.NodeEvent, _Mapping]]] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id", "include_images")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_IMAGES_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    include_images: bool
    def __init__(self, run_id: _Optional[str] = ..., include_images: _Optional[bool] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "flow_id", "states")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    flow_id: str
    states: _containers.RepeatedScalarFieldContainer[_runs_pb2.RunState]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., flow_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_runs_pb2.RunState, str]]] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[_runs_pb2.Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[_runs_pb2.Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class CancelRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ...) -> None: ...

class ResumeRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class ResumeRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ...) -> None: ...
