"""The dashboard's event stream (``GET /dashboard/stream``) on a real HTTP server: changes
once their view shows them, from now on or after a ``Last-Event-ID``, and an end when the
server stops (in process, and for `logistics serve` on SIGTERM)."""

import asyncio
import contextlib
import json
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from logistics_platform.backoffice.application.queries import TrackingSearch
from logistics_platform.backoffice.infrastructure.es_store import EsTrackingStore
from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http import apps
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.processes import free_port
from tests.search_server import SearchServer
from tests.served import serve
from tests.waiting import PROCESS_START, PROPAGATION, eventually

Message = dict[str, str]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the test process keeps its own signal handlers


@dataclass
class Live:
    platform: Platform
    app: FastAPI
    server: _Server
    url: str

    async def reserve(self, item: str, reservation: str) -> None:
        await self.platform.commands.handle(a_reservation_of(item, reservation_id=reservation))

    async def registered(self, reservation: str) -> None:
        async def shown() -> bool:
            view = await self.platform.tracking.find(reservation)
            return view is not None and view.tracking_number is not None

        await eventually(shown, what=f"{reservation}'s registered view")


@pytest.fixture
async def live(platform: Platform) -> AsyncIterator[Live]:
    """The Backoffice API served on a free port, with in-process delivery running."""
    async with serving(platform) as running:
        yield running


@pytest.fixture
async def live_search(sqlite_url: str, search_server: SearchServer) -> AsyncIterator[Live]:
    """The same, with the tracking views in the search server."""
    settings = Settings(
        database_url=sqlite_url,
        rabbitmq_url=None,
        read_store="elasticsearch",
        elasticsearch_url=search_server.url,
        elasticsearch_index=f"test_{uuid.uuid4().hex[:12]}_tracking_views",
    )
    platform = await bootstrap(settings, migrate=True)
    try:
        async with serving(platform) as running:
            yield running
    finally:
        store = platform.tracking_store
        assert isinstance(store, EsTrackingStore)
        await store.delete_indices()
        await platform.close()


@contextlib.asynccontextmanager
async def serving(platform: Platform) -> AsyncIterator[Live]:
    app = apps.create_backoffice_app(platform)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = _Server(config)
    listening = asyncio.create_task(server.serve())
    assert platform.delivery is not None
    delivering = asyncio.create_task(platform.delivery.run())

    async def started() -> bool:
        return server.started or listening.done()

    await eventually(started, within=PROCESS_START, what="the Backoffice API to listen")
    try:
        yield Live(platform, app, server, f"http://127.0.0.1:{port}")
    finally:
        apps.stopping(app)
        server.should_exit = True
        delivering.cancel()
        await asyncio.gather(listening, delivering, return_exceptions=True)


class Stream:
    """The messages of one ``text/event-stream`` answer, one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self) -> Message:
        """The next message with data (comments and the ``retry`` preamble skipped)."""
        while True:
            message = await self._message()
            if "data" in message:
                return message

    async def _message(self) -> Message:
        fields: Message = {}
        async with asyncio.timeout(PROPAGATION):
            async for line in self._lines:
                if not line:
                    return fields
                name, _, value = line.partition(": ")
                if name:  # a line starting with ":" is a comment
                    fields[name] = value
        raise EOFError("the stream ended")

    async def ended(self) -> bool:
        """Whether the server ends the stream (cleanly) before it sends another change."""
        try:
            await self.next()
        except EOFError:
            return True
        return False


@contextlib.asynccontextmanager
async def stream(url: str, **headers: str) -> AsyncIterator[Stream]:
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
        client.stream("GET", f"{url}/dashboard/stream", headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


def about(message: Message) -> tuple[str, str]:
    data = json.loads(message["data"])
    return data["reservationId"], data["event"]


async def test_a_new_stream_tells_of_changes_from_now_on_once_the_view_shows_them(
    live: Live,
) -> None:
    added = an_add_stock_item()
    await live.platform.commands.handle(added)
    await live.reserve(added.id, "order-old")
    await live.registered("order-old")

    async with stream(live.url) as changes:
        await live.reserve(added.id, "order-new")
        seen: list[tuple[str, str]] = []
        positions: list[int] = []
        while ("order-new", "logistics.package.registered") not in seen:
            message = await changes.next()
            reservation, event = about(message)
            view = await live.platform.tracking.find(reservation)
            assert view is not None, "a change is told once its view shows it"
            if event == "logistics.package.registered":
                assert view.tracking_number is not None
            seen.append((reservation, event))
            positions.append(int(message["id"]))
            assert message["event"] == "tracking"

    assert seen == [
        ("order-new", "inventory.stock_item.reserved"),
        ("order-new", "logistics.package.registered"),
    ]
    assert positions == sorted(set(positions))


async def test_with_views_in_the_search_server_a_change_is_told_once_searches_find_it(
    live_search: Live,
) -> None:
    live = live_search
    added = an_add_stock_item()
    await live.platform.commands.handle(added)

    async with stream(live.url) as changes:
        await live.reserve(added.id, "order-1")
        reservation, _ = about(await changes.next())
        found = await live.platform.tracking.search(TrackingSearch(text="order 1"))

    assert reservation == "order-1"
    assert [view.reservation_id for view in found.items] == ["order-1"]


async def test_a_reconnecting_stream_resumes_after_its_last_event_id(live: Live) -> None:
    added = an_add_stock_item()
    await live.platform.commands.handle(added)
    for reservation in ("order-1", "order-2"):
        await live.reserve(added.id, reservation)
        await live.registered(reservation)

    async with stream(live.url, **{"Last-Event-ID": "0"}) as first:
        everything = [await first.next() for _ in range(4)]
    async with stream(live.url, **{"Last-Event-ID": everything[1]["id"]}) as second:
        resumed = [await second.next() for _ in range(2)]

    assert [about(message)[0] for message in everything] == ["order-1"] * 2 + ["order-2"] * 2
    assert resumed == everything[2:]


async def test_a_stream_for_one_reservation_tells_only_of_its_changes(live: Live) -> None:
    added = an_add_stock_item()
    await live.platform.commands.handle(added)

    async with stream(live.url, **{"Last-Event-ID": "0"}) as everything:
        with_reservation = httpx.URL(f"{live.url}/dashboard/stream?reservation=order-2")
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", with_reservation, headers={"Last-Event-ID": "0"}) as answer,
        ):
            one = Stream(answer)
            for reservation in ("order-1", "order-2", "order-3"):
                await live.reserve(added.id, reservation)
            told = [about(await one.next()) for _ in range(2)]
            all_told = [about(await everything.next())[0] for _ in range(6)]

    assert told == [
        ("order-2", "inventory.stock_item.reserved"),
        ("order-2", "logistics.package.registered"),
    ]
    assert sorted(set(all_told)) == ["order-1", "order-2", "order-3"]


async def test_a_malformed_last_event_id_or_reservation_is_refused(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        header = await client.get("/dashboard/stream", headers={"Last-Event-ID": "x1"})
        query = await client.get("/dashboard/stream", params={"reservation": "a b"})

    for answer in (header, query):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"


async def test_streams_end_cleanly_as_soon_as_the_server_stops(live: Live) -> None:
    async with stream(live.url) as open_stream:
        apps.stopping(live.app)
        live.server.should_exit = True
        # Not ended by uvicorn's grace timeout, which would cut the answer short (an error).
        assert await open_stream.ended()


def test_logistics_serve_stops_within_its_grace_with_a_stream_open(tmp_path: Path) -> None:
    with serve(tmp_path) as served:

        async def watch_while_stopping() -> bool:
            async with stream(served.url("backoffice")) as open_stream:
                served.process.send_signal(signal.SIGTERM)
                return await open_stream.ended()

        ended_cleanly = asyncio.run(watch_while_stopping())
        try:
            code = served.process.wait(timeout=PROCESS_START)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit after SIGTERM\n{served.output()}") from None

    assert ended_cleanly
    assert code == 0, served.output()
    # uvicorn did not have to cancel the stream when its grace ran out
    assert "timeout graceful shutdown exceeded" not in served.output()
