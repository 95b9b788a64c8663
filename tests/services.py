"""Access to the real servers tests run against, and what to do when one is absent.

A test that needs a server skips with the reason when it is missing — except when
``LOGISTICS_REQUIRE_SERVICES=1`` (CI), where a missing server is a failure.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from yarl import URL

REQUIRE_SERVICES = os.environ.get("LOGISTICS_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str) -> None:
    """Skip (or, with LOGISTICS_REQUIRE_SERVICES=1, fail) because a server is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    admin_url = make_url(POSTGRES_ADMIN_URL)
    name = f"logistics_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(_dsn(POSTGRES_ADMIN_URL), timeout=30)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
        raise AssertionError("unreachable") from error
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def reachable_redis() -> str:
    """The test Redis server's URL, once it answers a PING."""
    target = URL(REDIS_URL)
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(target.host or "127.0.0.1", target.port or 6379), 5
        )
        writer.write(b"PING\r\n")
        answer = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
    except (OSError, TimeoutError) as error:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
        raise AssertionError("unreachable") from error
    if not answer.startswith(b"+PONG"):
        unavailable(f"Redis at {REDIS_URL} answered {answer!r} to PING")
    return REDIS_URL


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class TcpProxy:
    """A TCP proxy in front of a server: ``cut()`` drops every connection and refuses new
    ones (the server is gone, as far as clients can tell); ``restore()`` lets them back."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self.port = 0

    @classmethod
    async def in_front_of(cls, url: str) -> tuple["TcpProxy", str]:
        """A proxy, open, for the server of ``url`` (a database or broker URL), and the
        same URL through it."""
        target = URL(url)
        proxy = cls(target.host or "127.0.0.1", target.port or 0)
        await proxy.restore()
        return proxy, str(target.with_port(proxy.port))

    async def restore(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._pipes.update({writer, up_writer})
        await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.transport.abort()
