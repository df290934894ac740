"""Rich gRPC error statuses (google.rpc.Status with details) for what the engine rejects.

The details travel in the `grpc-status-details-bin` trailer, and gRPC clients refuse trailers
past 8 KiB (soft limit, by default) or 16 KiB (hard): a status naming 3,000 bad edges would
reach the client as RESOURCE_EXHAUSTED instead of INVALID_ARGUMENT. So the status is bounded:
at most MAX_VIOLATIONS field violations within MAX_DETAILS_BYTES, each field and description
cut to a few hundred bytes, and a last violation saying how many more there were.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from execution.errors import GraphValidationError
from execution.quoting import truncate_utf8

MAX_VIOLATIONS = 20
# The BadRequest (base64 in the trailer: × 4/3) and the message (percent-encoded in
# grpc-message, and repeated inside the status): together well under the 8 KiB soft limit.
MAX_DETAILS_BYTES = 3 * 1024
MAX_MESSAGE_BYTES = 512
MAX_FIELD_BYTES = 200
MAX_DESCRIPTION_BYTES = 400


def invalid_graph(err: GraphValidationError) -> grpc.Status:
    """INVALID_ARGUMENT with a BadRequest field violation per culprit (the first ones)."""
    bad_request = error_details_pb2.BadRequest()
    listed = 0
    for violation in err.violations[:MAX_VIOLATIONS]:
        bad_request.field_violations.add(
            field=truncate_utf8(violation.field, MAX_FIELD_BYTES),
            description=truncate_utf8(violation.description, MAX_DESCRIPTION_BYTES),
        )
        if bad_request.ByteSize() > MAX_DETAILS_BYTES:
            del bad_request.field_violations[-1]
            break
        listed += 1
    if listed < len(err.violations):
        bad_request.field_violations.add(
            description=f"… and {len(err.violations) - listed} more violations (the first {listed} are listed)")
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    first = err.violations[0]
    more = f" (and {len(err.violations) - 1} more)" if len(err.violations) > 1 else ""
    message = f"invalid graph: {truncate_utf8(f'{first.field}: {first.description}', MAX_MESSAGE_BYTES - 64)}{more}"
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])
    )
