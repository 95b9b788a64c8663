"""Limits a real server puts on what one client may send: a bounded request head (431),
a body that stalls (408), and connections beyond the cap (503). Raw sockets, because an
HTTP client would refuse to send most of this."""

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator

import pytest

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints import runner
from logistics_platform.entrypoints.http import apps, problems
from tests.processes import free_port
from tests.waiting import PROCESS_START, eventually


@contextlib.asynccontextmanager
async def serving(platform: Platform) -> AsyncIterator[int]:
    port = free_port()
    service = runner.HttpService("Inventory API", apps.create_inventory_app(platform), port)
    server = runner._Server(service, "127.0.0.1")
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, within=PROCESS_START, what="the server to listen")
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def exchange(port: int, request: bytes, *, read_for: float = 30.0) -> tuple[int, bytes]:
    """Send ``request`` raw; the answer's status and body (read until the server closes or
    a complete answer arrives)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    answer = b""
    with contextlib.suppress(TimeoutError, ConnectionError):
        async with asyncio.timeout(read_for):
            while chunk := await reader.read(65536):
                answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    None,
                )
                if length is not None and len(body) >= length:
                    break
    writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, answer.partition(b"\r\n\r\n")[2]


def get(path: str, headers: list[str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: test", *headers, "", ""]
    return "\r\n".join(lines).encode()


async def test_a_request_head_over_16_kib_is_refused_with_431(platform: Platform) -> None:
    async with serving(platform) as port:
        status, body = await exchange(port, get("/health", [f"X-Big: {'a' * 20_000}"]))
        assert status == 431
        assert json.loads(body)["status"] == 431
        assert (await exchange(port, get("/health", [f"X-Fine: {'a' * 8_000}"])))[0] == 200


async def test_a_request_with_too_many_headers_is_refused_with_431(platform: Platform) -> None:
    async with serving(platform) as port:
        many = [f"X-H{n}: v" for n in range(150)]
        assert (await exchange(port, get("/health", many)))[0] == 431


async def test_a_large_body_in_the_same_packets_as_its_head_is_read(platform: Platform) -> None:
    body = json.dumps({"id": "x", "name": "n" * 500_000, "quantity": 1}).encode()
    request = (
        b"POST /stock-items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    async with serving(platform) as port:
        status, answer = await exchange(port, request)
    assert status == 422, answer  # read whole, then refused for what it says


async def test_a_body_shorter_than_its_content_length_times_out_with_408(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems, "BODY_READ_TIMEOUT_SECONDS", 0.5)
    request = (
        b"POST /stock-items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{}"
    )
    async with serving(platform) as port:
        status, body = await exchange(port, request, read_for=20)
    assert status == 408
    assert json.loads(body)["type"] == "/problems/request-timeout"


async def test_connections_beyond_the_cap_are_answered_503(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "MAX_CONNECTIONS", 2)
    async with serving(platform) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            await asyncio.sleep(0.2)  # accepted by the server
            status, _ = await exchange(port, get("/health", []))
        finally:
            for connection in idle:
                connection.close()
    assert status == 503
