from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PortKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PORT_KIND_UNSPECIFIED: _ClassVar[PortKind]
    PORT_KIND_TEXT: _ClassVar[PortKind]
    PORT_KIND_IMAGE: _ClassVar[PortKind]
    PORT_KIND_PERSONA: _ClassVar[PortKind]
    PORT_KIND_VALUE: _ClassVar[PortKind]

class CacheDefault(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CACHE_DEFAULT_UNSPECIFIED: _ClassVar[CacheDefault]
    CACHE_DEFAULT_NEVER: _ClassVar[CacheDefault]
    CACHE_DEFAULT_CACHED: _ClassVar[CacheDefault]
    CACHE_DEFAULT_OPT_IN: _ClassVar[CacheDefault]
    CACHE_DEFAULT_CONDITIONAL: _ClassVar[CacheDefault]

class JoinPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOIN_POLICY_UNSPECIFIED: _ClassVar[JoinPolicy]
    JOIN_POLICY_SETTLED: _ClassVar[JoinPolicy]
    JOIN_POLICY_ALL: _ClassVar[JoinPolicy]
    JOIN_POLICY_ANY: _ClassVar[JoinPolicy]
    JOIN_POLICY_FIRST_NON_NULL: _ClassVar[JoinPolicy]

class ProviderKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROVIDER_KIND_UNSPECIFIED: _ClassVar[ProviderKind]
    PROVIDER_KIND_TEXT: _ClassVar[ProviderKind]
    PROVIDER_KIND_IMAGE: _ClassVar[ProviderKind]
PORT_KIND_UNSPECIFIED: PortKind
PORT_KIND_TEXT: PortKind
PORT_KIND_IMAGE: PortKind
PORT_KIND_PERSONA: PortKind
PORT_KIND_VALUE: PortKind
CACHE_DEFAULT_UNSPECIFIED: CacheDefault
CACHE_DEFAULT_NEVER: CacheDefault
CACHE_DEFAULT_CACHED: CacheDefault
CACHE_DEFAULT_OPT_IN: CacheDefault
CACHE_DEFAULT_CONDITIONAL: CacheDefault
JOIN_POLICY_UNSPECIFIED: JoinPolicy
JOIN_POLICY_SETTLED: JoinPolicy
JOIN_POLICY_ALL: JoinPolicy
JOIN_POLICY_ANY: JoinPolicy
JOIN_POLICY_FIRST_NON_NULL: JoinPolicy
PROVIDER_KIND_UNSPECIFIED: ProviderKind
PROVIDER_KIND_TEXT: ProviderKind
PROVIDER_KIND_IMAGE: ProviderKind

class ListNodeTypesRequest(_message.Message):
    __slots__ = ("family",)
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    family: str
    def __init__(self, family: _Optional[str] = ...) -> None: ...

class ListNodeTypesResponse(_message.Message):
    __slots__ = ("node_types", "plugins", "families")
    NODE_TYPES_FIELD_NUMBER: _ClassVar[int]
    PLUGINS_FIELD_NUMBER: _ClassVar[int]
    FAMILIES_FIELD_NUMBER: _ClassVar[int]
    node_types: _containers.RepeatedCompositeFieldContainer[NodeType]
    plugins: _containers.RepeatedCompositeFieldContainer[NodePlugin]
    families: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, node_types: _Optional[_Iterable[_Union[NodeType, _Mapping]]] = ..., plugins: _Optional[_Iterable[_Union[NodePlugin, _Mapping]]] = ..., families: _Optional[_Iterable[str]] = ...) -> None: ...

class NodeType(_message.Message):
    __slots__ = ("type", "family", "display_name", "description", "version", "fields", "settings_schema", "inputs", "inputs_open", "outputs", "outputs_open", "ports_from_settings", "output_schema", "calls_provider", "default_model", "cache_default", "cache_ttl_seconds", "retry_policy", "join", "join_from_settings", "results", "origin")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_OPEN_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_OPEN_FIELD_NUMBER: _ClassVar[int]
    PORTS_FROM_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CALLS_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    CACHE_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    CACHE_TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RETRY_POLICY_FIELD_NUMBER: _ClassVar[int]
    JOIN_FIELD_NUMBER: _ClassVar[int]
    JOIN_FROM_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    type: str
    family: str
    display_name: str
    description: str
    version: int
    fields: _containers.RepeatedCompositeFieldContainer[NodeField]
    settings_schema: _struct_pb2.Struct
    inputs: _containers.RepeatedCompositeFieldContainer[NodePort]
    inputs_open: bool
    outputs: _containers.RepeatedCompositeFieldContainer[NodePort]
    outputs_open: bool
    ports_from_settings: bool
    output_schema: _struct_pb2.Struct
    calls_provider: bool
    default_model: ModelRef
    cache_default: CacheDefault
    cache_ttl_seconds: float
    retry_policy: NodeRetryPolicy
    join: JoinPolicy
    join_from_settings: bool
    results: bool
    origin: str
    def __init__(self, type: _Optional[str] = ..., family: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., version: _Optional[int] = ..., fields: _Optional[_Iterable[_Union[NodeField, _Mapping]]] = ..., settings_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[NodePort, _Mapping]]] = ..., inputs_open: _Optional[bool] = ..., outputs: _Optional[_Iterable[_Union[NodePort, _Mapping]]] = ..., outputs_open: _Optional[bool] = ..., ports_from_settings: _Optional[bool] = ..., output_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., calls_provider: _Optional[bool] = ..., default_model: _Optional[_Union[ModelRef, _Mapping]] = ..., cache_default: _Optional[_Union[CacheDefault, str]] = ..., cache_ttl_seconds: _Optional[float] = ..., retry_policy: _Optional[_Union[NodeRetryPolicy, _Mapping]] = ..., join: _Optional[_Union[JoinPolicy, str]] = ..., join_from_settings: _Optional[bool] = ..., results: _Optional[bool] = ..., origin: _Optional[str] = ...) -> None: ...

class NodeField(_message.Message):
    __slots__ = ("name", "label", "description", "type", "nullable", "default_value", "options", "options_open", "required", "minimum", "maximum", "schema")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_OPEN_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    name: str
    label: str
    description: str
    type: str
    nullable: bool
    default_value: _struct_pb2.Value
    options: _containers.RepeatedScalarFieldContainer[str]
    options_open: bool
    required: bool
    minimum: float
    maximum: float
    schema: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., label: _Optional[str] = ..., description: _Optional[str] = ..., type: _Optional[str] = ..., nullable: _Optional[bool] = ..., default_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., options: _Optional[_Iterable[str]] = ..., options_open: _Optional[bool] = ..., required: _Optional[bool] = ..., minimum: _Optional[float] = ..., maximum: _Optional[float] = ..., schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class NodePort(_message.Message):
    __slots__ = ("name", "kind", "branch", "required", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: PortKind
    branch: bool
    required: bool
    description: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[PortKind, str]] = ..., branch: _Optional[bool] = ..., required: _Optional[bool] = ..., description: _Optional[str] = ...) -> None: ...

class NodeRetryPolicy(_message.Message):
    __slots__ = ("max_attempts", "backoff_seconds")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    BACKOFF_SECONDS_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    backoff_seconds: float
    def __init__(self, max_attempts: _Optional[int] = ..., backoff_seconds: _Optional[float] = ...) -> None: ...

class ModelRef(_message.Message):
    __slots__ = ("provider_id", "model")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    model: str
    def __init__(self, provider_id: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class NodePlugin(_message.Message):
    __slots__ = ("name", "distribution", "version", "node_types", "error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NODE_TYPES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    distribution: str
    version: str
    node_types: _containers.RepeatedScalarFieldContainer[str]
    error: str
    def __init__(self, name: _Optional[str] = ..., distribution: _Optional[str] = ..., version: _Optional[str] = ..., node_types: _Optional[_Iterable[str]] = ..., error: _Optional[str] = ...) -> None: ...

class GetModelDefaultsRequest(_message.Message):
    __slots__ = ("node_type", "provider_id")
    NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    node_type: str
    provider_id: str
    def __init__(self, node_type: _Optional[str] = ..., provider_id: _Optional[str] = ...) -> None: ...

class GetModelDefaultsResponse(_message.Message):
    __slots__ = ("node_types", "providers", "default_image_provider", "tasks", "default_execution_mode")
    NODE_TYPES_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_IMAGE_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_EXECUTION_MODE_FIELD_NUMBER: _ClassVar[int]
    node_types: _containers.RepeatedCompositeFieldContainer[NodeModelDefault]
    providers: _containers.RepeatedCompositeFieldContainer[ProviderModelDefault]
    default_image_provider: str
    tasks: _containers.RepeatedCompositeFieldContainer[ModelTask]
    default_execution_mode: str
    def __init__(self, node_types: _Optional[_Iterable[_Union[NodeModelDefault, _Mapping]]] = ..., providers: _Optional[_Iterable[_Union[ProviderModelDefault, _Mapping]]] = ..., default_image_provider: _Optional[str] = ..., tasks: _Optional[_Iterable[_Union[ModelTask, _Mapping]]] = ..., default_execution_mode: _Optional[str] = ...) -> None: ...

class NodeModelDefault(_message.Message):
    __slots__ = ("node_type", "default_model")
    NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    node_type: str
    default_model: ModelRef
    def __init__(self, node_type: _Optional[str] = ..., default_model: _Optional[_Union[ModelRef, _Mapping]] = ...) -> None: ...

class ProviderModelDefault(_message.Message):
    __slots__ = ("provider_id", "kind", "default_model", "vision_model", "aliases")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODEL_FIELD_NUMBER: _ClassVar[int]
    VISION_MODEL_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    kind: ProviderKind
    default_model: str
    vision_model: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, provider_id: _Optional[str] = ..., kind: _Optional[_Union[ProviderKind, str]] = ..., default_model: _Optional[str] = ..., vision_model: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ...) -> None: ...

class ModelTask(_message.Message):
    __slots__ = ("name", "eco", "fast", "always_local", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ECO_FIELD_NUMBER: _ClassVar[int]
    FAST_FIELD_NUMBER: _ClassVar[int]
    ALWAYS_LOCAL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    eco: ModelRef
    fast: ModelRef
    always_local: bool
    description: str
    def __init__(self, name: _Optional[str] = ..., eco: _Optional[_Union[ModelRef, _Mapping]] = ..., fast: _Optional[_Union[ModelRef, _Mapping]] = ..., always_local: _Optional[bool] = ..., description: _Optional[str] = ...) -> None: ...
