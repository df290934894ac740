"""Bearer-token authentication (JWT, HS256 by default), as the earlier FastAPI build had.

Off unless FLOWEXEC_AUTH_JWT_SECRET is set. When on, every call must carry
`authorization: Bearer <jwt>` signed with that secret (and unexpired, and for the configured
audience/issuer when set); anything else gets UNAUTHENTICATED before the handler runs.

Only health checking stays open: probes and load balancers carry no token, and it tells nothing
but SERVING / NOT_SERVING. Reflection needs the token like FlowService: it describes every
service and message of the server to whoever asks, and an operator who turned auth on expects
an anonymous caller to learn nothing from the server (grpcurl sends one with
`-H "authorization: Bearer $TOKEN"`).

The token's `sub` (required) is the caller: it owns the runs it starts (their RunOptions.owner:
whose cache entries, provider budgets and caps they use), and another caller's runs do not
exist for it. The interceptor runs in the call's own task, before the handler, so
it hands the caller over in a context variable (`caller()`); with auth off every call is the
one local owner.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import jwt

from execution.graph.model import LOCAL_OWNER

log = logging.getLogger("flowexec.auth")

OPEN_SERVICES = ("/grpc.health.v1.Health/",)

_caller: contextvars.ContextVar[str] = contextvars.ContextVar("flowexec_caller", default=LOCAL_OWNER)


def caller() -> str:
    """Who is calling: the token's subject, or LOCAL_OWNER with auth off."""
    return _caller.get()


class JwtAuth(grpc.aio.ServerInterceptor):
    def __init__(self, secret: str, *, algorithms: tuple[str, ...] = ("HS256",),
                 audience: str | None = None, issuer: str | None = None) -> None:
        self._secret = secret
        self._algorithms = list(algorithms)
        self._audience = audience
        self._issuer = issuer

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = handler_call_details.method
        if method.startswith(OPEN_SERVICES):
            return await continuation(handler_call_details)
        subject, problem = self.check(dict(handler_call_details.invocation_metadata or ()))
        handler = await continuation(handler_call_details)
        if problem is not None:
            log.info("refused %s: %s", method, problem)
            # The refusal takes the method's shape (reflection streams requests, FlowService does not).
            return _refusal(problem, handler)
        _caller.set(subject)
        return handler

    def check(self, metadata: dict[str, Any]) -> tuple[str, str | None]:
        """(the token's subject, None) when the metadata carries a valid token, else ("", why
        not) — safe to show."""
        header = metadata.get("authorization", "")
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "", "missing bearer token (authorization: Bearer <jwt>)"
        try:
            claims = jwt.decode(token.strip(), self._secret, algorithms=self._algorithms, audience=self._audience,
                                issuer=self._issuer, options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            return "", "token expired"
        except jwt.InvalidTokenError as err:
            return "", f"invalid token: {type(err).__name__}"
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            return "", "invalid token: no subject (sub), which owns the caller's runs"
        return subject, None


def _refusal(message: str, shape: grpc.RpcMethodHandler | None) -> grpc.RpcMethodHandler:
    """A handler that aborts with UNAUTHENTICATED before any message, shaped like `shape` (an
    unknown method, None, is refused as unary-stream: it learns nothing of what exists)."""
    async def refuse(request: Any, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    streams_in = shape is not None and shape.request_streaming
    streams_out = shape is None or shape.response_streaming
    if streams_in:
        make = grpc.stream_stream_rpc_method_handler if streams_out else grpc.stream_unary_rpc_method_handler
    else:
        make = grpc.unary_stream_rpc_method_handler if streams_out else grpc.unary_unary_rpc_method_handler
    return make(refuse)
