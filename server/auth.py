"""Bearer-token authentication (JWT, HS256 by default), as the earlier FastAPI build had.

Off unless FLOWEXEC_AUTH_JWT_SECRET is set. When on, every FlowService call must carry
`authorization: Bearer <jwt>` signed with that secret (and unexpired, and for the configured
audience/issuer when set); anything else gets UNAUTHENTICATED before the handler runs.
Health checking and reflection stay open so probes, load balancers and grpcurl keep working.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import jwt

log = logging.getLogger("flowexec.auth")

OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


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
        problem = self.check(dict(handler_call_details.invocation_metadata or ()))
        if problem is not None:
            log.info("refused %s: %s", method, problem)
            return _refusal(problem)
        return await continuation(handler_call_details)

    def check(self, metadata: dict[str, Any]) -> str | None:
        """None when the metadata carries a valid token, else why not (safe to show)."""
        header = metadata.get("authorization", "")
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "missing bearer token (authorization: Bearer <jwt>)"
        try:
            jwt.decode(token.strip(), self._secret, algorithms=self._algorithms, audience=self._audience,
                       issuer=self._issuer, options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            return "token expired"
        except jwt.InvalidTokenError as err:
            return f"invalid token: {type(err).__name__}"
        return None


def _refusal(message: str) -> grpc.RpcMethodHandler:
    async def refuse(request: Any, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    # A unary-stream handler suits FlowService/ExecuteFlow; the abort happens before any message.
    return grpc.unary_stream_rpc_method_handler(refuse)
