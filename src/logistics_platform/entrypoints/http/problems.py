"""The one place that turns failures into RFC 9457 problem+json responses."""

import asyncio
import re
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics_platform.shared.domain.errors import Conflict, DomainError, InvalidArgument, NotFound
from logistics_platform.shared.infrastructure.persistence.availability import unavailable

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024
BODY_READ_TIMEOUT_SECONDS = 15.0

_STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (InvalidArgument, 422),
)


def problem(
    status: int, detail: str, *, title: str | None = None, kind: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem document; ``error`` repeats ``detail`` for the guide's clients. Its
    ``type`` names the kind of problem (``/problems/insufficient-stock``), so that clients
    tell two 409s apart without reading titles."""
    phrase = HTTPStatus(status).phrase
    body = {
        "type": problem_type(kind or _kebab(phrase)),
        "title": title or phrase,
        "status": status,
        "detail": detail,
        "error": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def problem_type(kind: str) -> str:
    return f"/problems/{kind}"


def status_of(error: type[DomainError]) -> int:
    return next((code for kind, code in _STATUS_OF if issubclass(error, kind)), 422)


def kind_of(error: type[DomainError]) -> str:
    """``InsufficientStock`` → ``insufficient-stock``: stable while the class keeps its name."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", error.__name__).lower()


def _kebab(phrase: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")


async def _domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    kind = type(error)
    return problem(status_of(kind), error.message, title=error.title, kind=kind_of(kind))


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": ".".join(str(part) for part in issue["loc"]), "message": issue["msg"]}
        for issue in error.errors()
    ]
    summary = "; ".join(f"{issue['field']}: {issue['message']}" for issue in errors[:5])
    return problem(
        422,
        summary or "invalid request",
        title="Invalid request",
        kind="invalid-request",
        errors=errors,
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    response = problem(error.status_code, str(error.detail))
    response.headers.update(error.headers or {})
    if error.status_code == 405:
        # The router names only the first route on the path; a path has one route per method.
        response.headers["Allow"] = ", ".join(_methods_of(request.app, request.url.path))
    return response


def _methods_of(app: FastAPI, path: str) -> list[str]:
    """Every method the app routes on ``path``, documented or not (the dashboard's pages
    are left out of the API's document); static files answer their own."""

    def routed(method: str) -> bool:
        scope = {"type": "http", "path": path, "method": method, "root_path": ""}
        return any(
            route.matches(scope)[0] is Match.FULL
            for route in app.router.routes
            if not isinstance(route, Mount)
        )

    methods = {method for method in _ROUTABLE if routed(method)}
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))


_ROUTABLE = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _unavailable() -> JSONResponse:
    """503 when the database (or another backing service) cannot be reached now: the
    client may retry."""
    response = problem(503, "a backing service is unavailable; retry shortly")
    response.headers["Retry-After"] = "1"
    return response


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path, method=request.method)
    return problem(500, "the server failed to handle the request; it has been logged")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(
        RequestBodyLimits, max_bytes=MAX_BODY_BYTES, read_timeout=BODY_READ_TIMEOUT_SECONDS
    )
    app.add_middleware(UnavailableAsProblem)


class UnavailableAsProblem:
    """503 for any failure that says a backing service cannot be reached now (whichever
    client raised it), before the catch-all turns it into a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def answering(message: Message) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, answering)
        except Exception as error:
            if scope["type"] != "http" or answered or not unavailable(error):
                raise
            log.warning("backing service unavailable", path=scope["path"], error=repr(error))
            await _unavailable()(scope, receive, send)


class RequestBodyLimits:
    """Refuse request bodies over ``max_bytes`` with 413 before they reach a handler, and
    bodies that stall (a client that sends less than its Content-Length) with 408 after
    ``read_timeout`` seconds without a byte, instead of holding the connection for ever."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received, complete = 0, False

        async def bounded_receive() -> Message:
            nonlocal received, complete
            if complete:  # after the body, receive() waits for a disconnect: no deadline
                return await receive()
            try:
                async with asyncio.timeout(self.read_timeout):
                    message = await receive()
            except TimeoutError:
                detail = f"the request body stalled for {self.read_timeout:g} s"
                raise HTTPException(408, detail, headers={"Connection": "close"}) from None
            received += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if received > self.max_bytes:
                raise HTTPException(413, f"request body exceeds {self.max_bytes} bytes")
            return message

        await self.app(scope, bounded_receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"request body exceeds {self.max_bytes} bytes")
        await response(scope, receive, send)
