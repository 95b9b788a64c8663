"""Every request, on every API: its correlation id, one access log line, its duration.

A plain ASGI middleware (not ``BaseHTTPMiddleware``): no extra task per request, and the
context variables it binds are the endpoint's. The correlation id comes from
``X-Correlation-Id`` when it is a sensible token, else is made up; it is echoed on the
response, bound into every log line of the request, and recorded with the events the
request causes (routes read it from ``request.state``)."""

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics_platform.shared.infrastructure.metrics import HTTP_REQUEST_DURATION

log = structlog.get_logger("logistics_platform.access")

HEADER = b"x-correlation-id"
_MAX_LENGTH = 128  # fits an AMQP property too
_ACCEPTED = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:\-]*")
_UNMATCHED = "unmatched"  # route label of 404s: a label per made-up path would never end
_LOGGED_PATH_LENGTH = 200
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Answered often by design (probes, scrapes): logged at debug level unless they fail.
_ROUTINE = frozenset({"/health", "/live", "/ready", "/metrics"})


def correlation_id(header: bytes | None) -> str:
    """The header's value if it is 1-128 letters, digits and ``._:-``; else a new id."""
    if header is not None and len(header) <= _MAX_LENGTH and _ACCEPTED.fullmatch(header):
        return header.decode("ascii")
    return str(uuid.uuid4())


class AccessLog:
    def __init__(self, app: ASGIApp, *, api: str) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = next((value for name, value in scope["headers"] if name == HEADER), None)
        cid = correlation_id(given)
        scope.setdefault("state", {})["correlation_id"] = cid
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, cid.encode())]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(correlation_id=cid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            structlog.contextvars.reset_contextvars(**tokens)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None)
        method = scope["method"]
        label = method if method in _METHODS else "other"  # any token is a method to a server
        HTTP_REQUEST_DURATION.labels(self.api, label, route or _UNMATCHED, str(status)).observe(
            seconds
        )
        client = scope.get("client")
        routine = route in _ROUTINE and status < 400
        (log.error if status >= 500 else log.debug if routine else log.info)(
            "request",
            method=method,
            path=route or scope["path"][:_LOGGED_PATH_LENGTH],
            status=status,
            duration_ms=round(seconds * 1000, 2),
            client=client[0] if client else None,
        )
