"""A real HTTP receiver for webhook tests, on asyncio's own server: it records every
request and answers with the statuses it is told, one per request (or never answers).
And the sending end: a platform allowed to call it, its dispatcher running."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings

HANG = 0  # as an answer: keep the connection open without a word

_PHRASES = {200: "OK", 204: "No Content", 429: "Too Many Requests", 500: "Server Error"}


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> dict[str, Any]:
        """The body, once its Standard Webhooks signature verifies with ``secret``."""
        payload: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return payload


@dataclass
class Receiver:
    """Answers request n with ``answers(n)`` (0-based): a status, or :data:`HANG`."""

    answers: Callable[[int], int] = lambda _: 204
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            headers: dict[str, str] = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            number = len(self.requests)
            self.requests.append(Received(request_line[0], request_line[1], headers, body))
            status = self.answers(number)
            if status == HANG:
                await self._stopping.wait()
                return
            phrase = _PHRASES.get(status, "Answer")
            head = f"HTTP/1.1 {status} {phrase}\r\nContent-Length: 0\r\nConnection: close\r\n"
            writer.write(f"{head}\r\n".encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["Receiver"]:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            self._stopping.set()
            server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await server.wait_closed()


async def a_platform(database_url: str, **settings: Any) -> Platform:
    """The embedded platform on a migrated database, allowed to call a receiver on
    127.0.0.1 and quick to retry it (three attempts), unless ``settings`` say otherwise."""
    defaults: dict[str, Any] = {
        "webhook_allow_private_networks": True,
        "webhook_retry_base_seconds": 0.05,
        "webhook_max_attempts": 3,
    }
    configured = Settings(database_url=database_url, rabbitmq_url=None, **defaults | settings)
    return await bootstrap(configured, migrate=True)


@contextlib.asynccontextmanager
async def dispatching(platform: Platform) -> AsyncIterator[None]:
    """``platform``'s webhook dispatcher, sending until the block ends."""
    task = asyncio.create_task(platform.webhook_dispatcher().run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
