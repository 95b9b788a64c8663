"""A read store of each kind, on a migrated database, for the shared contract suite.

SQLite and PostgreSQL always run; Elasticsearch runs against ELASTICSEARCH_URL's server
or, unset (as in CI), a compatible stand-in (tests/search_server.py; not Elasticsearch).
"""

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch, BadRequestError
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.ports import TrackingStore
from logistics_platform.backoffice.application.queries import TrackingSearch, TrackingSort
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.backoffice.infrastructure.es_store import EsTrackingStore
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.backoffice.infrastructure.sql_store import SqlTrackingStore
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.persistence import migrations, outbox
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.mothers.backoffice import backoffice_subscribers
from tests.search_server import STAND_IN_LACKS, SearchServer
from tests.services import fresh_postgres_database


@dataclass
class ReadSide:
    """A store with its live subscribers and the event log they follow."""

    store: TrackingStore
    engine: AsyncEngine
    subscribers: list[Subscriber[Any]]

    @property
    def log(self) -> OutboxEventLog:
        return OutboxEventLog(self.engine)

    async def record(self, events: Iterable[EventEnvelope]) -> None:
        """Append to the event log (the outbox), as the write side does."""
        async with self.engine.begin() as connection:
            await outbox.append(connection, list(events))

    async def project(self, events: Iterable[EventEnvelope]) -> None:
        """Deliver each event to its subscriber, in the order given, then refresh."""
        for event in events:
            for subscriber in self.subscribers:
                if event.name in subscriber.events:
                    await subscriber.deliver(event)
        await self.store.refresh()

    async def project_in_batches(self, events: Iterable[EventEnvelope], size: int) -> None:
        """Deliver the events to each subscriber ``size`` at a time (group commit)."""
        waiting: dict[str, list[EventEnvelope]] = {s.name: [] for s in self.subscribers}
        for event in [*events, None]:
            for subscriber in self.subscribers:
                batch = waiting[subscriber.name]
                if event is not None and event.name in subscriber.events:
                    batch.append(event)
                if batch and (event is None or len(batch) == size):
                    await subscriber.deliver_all(batch)
                    batch.clear()
        await self.store.refresh()

    async def happen(self, events: list[EventEnvelope]) -> None:
        await self.record(events)
        await self.project(events)

    async def views(self) -> list[TrackingView]:
        """Every view, by reservation id."""
        found: list[TrackingView] = []
        page = 1
        while True:
            result = await self.store.queries.search(
                TrackingSearch(sort=TrackingSort.RESERVATION_ID, page=page, size=100)
            )
            found.extend(result.items)
            if page * 100 >= result.total:
                return found
            page += 1


def read_side(store: TrackingStore, engine: AsyncEngine) -> ReadSide:
    return ReadSide(store, engine, backoffice_subscribers(store.unit_of_work))


@pytest.fixture(params=["sqlite", "postgres", "elasticsearch"])
async def read(request: pytest.FixtureRequest) -> AsyncIterator[ReadSide]:
    """Each contract test runs on every store."""
    server: SearchServer | None = None
    if request.param == "elasticsearch":
        server = request.getfixturevalue("search_server")
        _expect_stand_in_gaps(request, server)
    if request.param == "postgres":
        async with fresh_postgres_database() as url, _store(url) as side:
            yield side
        return
    url = request.getfixturevalue("sqlite_url")
    async with _store(url, server) as side:
        yield side


def _expect_stand_in_gaps(request: pytest.FixtureRequest, server: SearchServer) -> None:
    """A test marked ``stand_in_lacks(feature, ...)`` is a strict expected failure there, by
    the refusal of its first feature; on a real Elasticsearch it is an ordinary test."""
    marker = request.node.get_closest_marker("stand_in_lacks")
    if server.stand_in and marker is not None:
        reason = "the stand-in lacks: " + "; ".join(STAND_IN_LACKS[f] for f in marker.args)
        request.applymarker(pytest.mark.xfail(reason=reason, raises=BadRequestError, strict=True))


@asynccontextmanager
async def _store(url: str, server: SearchServer | None = None) -> AsyncIterator[ReadSide]:
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
        store = await _open(engine, server)
        try:
            yield read_side(store, engine)
        finally:
            await _dispose(store)
    finally:
        await engine.dispose()


async def _open(engine: AsyncEngine, server: SearchServer | None) -> TrackingStore:
    if server is None:
        return SqlTrackingStore(engine)
    alias = f"test_{uuid.uuid4().hex[:12]}_tracking_views"
    store = EsTrackingStore(AsyncElasticsearch(server.url), engine, alias=alias)
    await store.start()
    return store


async def _dispose(store: TrackingStore) -> None:
    if isinstance(store, EsTrackingStore):
        await store.delete_indices()
    await store.close()


@pytest.fixture(params=["sqlite", "elasticsearch"])
async def file_or_search_read(
    request: pytest.FixtureRequest, sqlite_url: str
) -> AsyncIterator[ReadSide]:
    """Views in SQLite, or in the search server with the handled ids in SQLite."""
    server = request.getfixturevalue("search_server") if request.param == "elasticsearch" else None
    async with _store(sqlite_url, server) as side:
        yield side
