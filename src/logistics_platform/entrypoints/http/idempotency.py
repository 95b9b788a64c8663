"""The Idempotency-Key header (IETF draft "The Idempotency-Key HTTP Header Field") for
every POST, PUT and PATCH of an API, as ASGI middleware.

- The same key with the same request (method, path, query and body, fingerprinted)
  answers the first answer again (status, body, content type, location) and runs
  nothing; the replay carries ``Idempotent-Replayed: true``.
- The same key with another request: 422, the draft's choice (SPEC §6 allowed 409 too).
- The same key while its first request still runs: 409.
- A malformed key (over 255 characters, not printable ASCII, nothing but spaces and
  quotes): 400; the OpenAPI document states the rule as a pattern.
- A method or path no route answers gets its 404/405 whatever the key.
- A 5xx answer (or a crash) is not kept, nor 401, 403, 408, 413, 429: the client may
  retry with the same key.
- Keys are kept 24 hours, per API (``scope``) and per caller (the token's subject when
  AUTH=jwt), and purged lazily.
The key may be sent as the draft's structured-field string (``"abc"``) or bare (``abc``).
"""

import contextlib
import hashlib
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logistics_platform.entrypoints.http.auth import caller_of
from logistics_platform.entrypoints.http.problems import problem
from logistics_platform.shared.infrastructure.persistence.idempotency import (
    Claimed,
    IdempotencyRecords,
    InFlight,
    OtherRequest,
    StoredAnswer,
)

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255
_CHANGING = frozenset({"POST", "PUT", "PATCH"})
# Answers about the request's passage rather than its outcome (credentials, rate, size,
# time): a retry with the same key deserves a fresh try, as after a 5xx.
_NOT_KEPT = frozenset({401, 403, 408, 413, 429})


class IdempotencyKeys:
    def __init__(self, app: ASGIApp, scope: str) -> None:
        self.app = app
        self.scope = scope
        self._records: IdempotencyRecords | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = dict(scope["headers"]).get(HEADER) if scope["type"] == "http" else None
        if header is None or scope["method"] not in _CHANGING or not _routed(scope):
            await self.app(scope, receive, send)
            return
        key = _key(header)
        if key is None:
            detail = (
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters,"
                " not only spaces and quotes"
            )
            await problem(400, detail, title="Malformed Idempotency-Key")(scope, receive, send)
            return
        try:
            body = await _body(receive)
        except HTTPException as refused:  # too large
            await problem(refused.status_code, str(refused.detail))(scope, receive, send)
            return
        caller = await caller_of(scope)
        if caller is None:  # unauthenticated: the route answers 401, and nothing is kept
            await self.app(scope, _replaying(body), send)
            return
        # Keys are the caller's own: one client's key never replays another's answer.
        key = hashlib.sha256(f"{caller}\0{key}".encode()).hexdigest()
        records = self._records_of(scope)
        claim = await records.claim(key, _fingerprint(scope, body))
        if isinstance(claim, Claimed):
            await self._run(records, key, scope, body, send)
        else:
            await _refusal_or_replay(claim)(scope, receive, send)

    async def _run(
        self, records: IdempotencyRecords, key: str, scope: Scope, body: bytes, send: Send
    ) -> None:
        """Run the request, keep its answer unless it is a 5xx, then send the answer."""
        answer = _Buffered()
        try:
            await self.app(scope, _replaying(body), answer.collect)
        except BaseException:
            with contextlib.suppress(Exception):
                await records.forget(key)
            raise
        stored = answer.stored()
        if stored.status >= 500 or stored.status in _NOT_KEPT:
            await records.forget(key)
        else:
            await records.answer(key, stored)
        await answer.send_to(send)

    def _records_of(self, scope: Scope) -> IdempotencyRecords:
        if self._records is None:
            self._records = IdempotencyRecords(scope["app"].state.platform.engine, self.scope)
        return self._records


def document_idempotency_keys(app: FastAPI) -> None:
    """Name the header in the OpenAPI document of every route it applies to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        for path in document.get("paths", {}).values():
            for method, operation in path.items():
                if method.upper() in _CHANGING and "x-idempotency" not in operation:
                    operation["x-idempotency"] = True
                    operation.setdefault("parameters", []).append(_HEADER_DOCUMENTED)
                    operation.setdefault("responses", {}).setdefault(
                        "400", {"description": "Malformed Idempotency-Key, or unreadable body"}
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


# Printable ASCII with at least one character other than a space or a quote.
KEY_PATTERN = r"^[ -~]*[!#-~][ -~]*$"
_HEADER_DOCUMENTED = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat the request safely: the same key and request answer the first"
    " answer again (24 h); another request with the key is 422, one still running 409.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
        "examples": ["9f1c2d7e-order-12345"],
    },
}


def _routed(scope: Scope) -> bool:
    """Some route answers this method on this path (else the router's 404/405 stands)."""
    routes = scope["app"].router.routes
    return any(route.matches(scope)[0] is Match.FULL for route in routes)


def _key(header: bytes) -> str | None:
    """The key (unquoted, if sent as ``"abc"``), or None if it breaks KEY_PATTERN."""
    if not 1 <= len(header) <= MAX_KEY_LENGTH or any(not 0x20 <= c <= 0x7E for c in header):
        return None
    if not header.strip(b' "'):
        return None
    if len(header) >= 2 and header[:1] == header[-1:] == b'"':
        header = header[1:-1]
    return header.decode("ascii")


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _refusal_or_replay(claim: InFlight | OtherRequest | StoredAnswer) -> ASGIApp:
    if isinstance(claim, InFlight):
        detail = "a request with this Idempotency-Key is still being processed; retry later"
        return problem(409, detail, title="Idempotency-Key in use")
    if isinstance(claim, OtherRequest):
        detail = "this Idempotency-Key was used for another request (method, path or body)"
        return problem(422, detail, title="Idempotency-Key reused")
    return _Replay(claim)


class _Replay:
    def __init__(self, answer: StoredAnswer) -> None:
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-length", str(len(self.answer.body)).encode())]
        headers.append((b"idempotent-replayed", b"true"))
        if self.answer.content_type is not None:
            headers.append((b"content-type", self.answer.content_type.encode("latin-1")))
        if self.answer.location is not None:
            headers.append((b"location", self.answer.location.encode("latin-1")))
        await send(
            {"type": "http.response.start", "status": self.answer.status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": self.answer.body})


class _Buffered:
    """An answer held back until it is stored, so that a replay can never overtake it."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def collect(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def stored(self) -> StoredAnswer:
        assert self.start is not None, "the app answered nothing"
        headers = {name.lower(): value for name, value in self.start.get("headers", [])}
        return StoredAnswer(
            status=self.start["status"],
            content_type=_text(headers.get(b"content-type")),
            location=_text(headers.get(b"location")),
            body=b"".join(self.chunks),
        )

    async def send_to(self, send: Send) -> None:
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": b"".join(self.chunks)})


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")
