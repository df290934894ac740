from flowexec.v1 import events_pb2 as _events_pb2
from flowexec.v1 import graph_pb2 as _graph_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecuteFlowRequest(_message.Message):
    __slots__ = ("flow_id", "nodes", "edges", "provider_id", "trigger_node_id", "cached_outputs", "options")
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
    flow_id: str
    nodes: _containers.RepeatedCompositeFieldContainer[_graph_pb2.Node]
    edges: _containers.RepeatedCompositeFieldContainer[_graph_pb2.Edge]
    provider_id: str
    trigger_node_id: str
    cached_outputs: _containers.MessageMap[str, _graph_pb2.NodeOutput]
    options: ExecutionOptions
    def __init__(self, flow_id: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[_graph_pb2.Node, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[_graph_pb2.Edge, _Mapping]]] = ..., provider_id: _Optional[str] = ..., trigger_node_id: _Optional[str] = ..., cached_outputs: _Optional[_Mapping[str, _graph_pb2.NodeOutput]] = ..., options: _Optional[_Union[ExecutionOptions, _Mapping]] = ...) -> None: ...

class ExecutionOptions(_message.Message):
    __slots__ = ("max_concurrency", "dry_run", "include_provider_calls")
    MAX_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PROVIDER_CALLS_FIELD_NUMBER: _ClassVar[int]
    max_concurrency: int
    dry_run: bool
    include_provider_calls: bool
    def __init__(self, max_concurrency: _Optional[int] = ..., dry_run: _Optional[bool] = ..., include_provider_calls: _Optional[bool] = ...) -> None: ...

class ExecuteFlowResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.NodeEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.NodeEvent, _Mapping]]] = ...) -> None: ...
