"""Rich gRPC error statuses (google.rpc.Status with details) for what the engine rejects."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from execution.errors import GraphValidationError


def invalid_graph(err: GraphValidationError) -> grpc.Status:
    """INVALID_ARGUMENT with a BadRequest field violation per culprit."""
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in err.violations
        ]
    )
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    first = err.violations[0]
    more = f" (and {len(err.violations) - 1} more)" if len(err.violations) > 1 else ""
    return rpc_status.to_status(
        status_pb2.Status(
            code=code_pb2.INVALID_ARGUMENT,
            message=f"invalid graph: {first.field}: {first.description}{more}",
            details=[detail],
        )
    )
