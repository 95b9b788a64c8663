"""The backoffice and the health service count an Elasticsearch read store among the
services they need: when it answers (Elasticsearch or its stand-in) they are ready; when
it does not, they say so (503), and the Inventory API, which does not need it, stays ready."""

import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from logistics_platform.backoffice.infrastructure.es_store import EsTrackingStore
from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.apps import (
    create_backoffice_app,
    create_health_app,
    create_inventory_app,
)
from logistics_platform.entrypoints.http.probes import database_label
from tests.search_server import SearchServer


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """An address where nothing listens: a bound socket that never accepts."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


@pytest.fixture
async def without_elasticsearch(platform: Platform, refusing_url: str) -> AsyncIterator[Platform]:
    """The platform's database, with tracking views in an Elasticsearch that is not there."""
    settings = platform.settings.model_copy(update={"elasticsearch_url": refusing_url})
    unreachable = Platform(settings, platform.engine)
    try:
        yield unreachable
    finally:
        await unreachable.tracking_store.close()


@pytest.fixture
async def with_search_server(
    platform: Platform, search_server: SearchServer
) -> AsyncIterator[Platform]:
    """The platform's database, with tracking views in the search server, in an index of
    its own."""
    alias = f"test_{uuid.uuid4().hex[:12]}_tracking_views"
    settings = platform.settings.model_copy(
        update={"elasticsearch_url": search_server.url, "elasticsearch_index": alias}
    )
    searching = Platform(settings, platform.engine)
    store = searching.tracking_store
    assert isinstance(store, EsTrackingStore)
    await store.start()
    try:
        yield searching
    finally:
        await store.delete_indices()
        await store.close()


async def _get(
    create_app: Callable[[Platform], FastAPI], platform: Platform, path: str
) -> httpx.Response:
    async with (
        LifespanManager(create_app(platform)) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://test"
        ) as client,
    ):
        return await client.get(path)


async def test_a_search_server_that_answers_makes_the_backoffice_ready(
    with_search_server: Platform,
) -> None:
    assert (await _get(create_backoffice_app, with_search_server, "/ready")).status_code == 200
    health = await _get(create_health_app, with_search_server, "/health")
    assert (health.status_code, health.json()["services"]) == (
        200,
        {database_label(with_search_server): "ok", "elasticsearch": "ok"},
    )
    unknown = await _get(create_backoffice_app, with_search_server, "/tracking/order-1")
    assert unknown.status_code == 404


async def test_an_unreachable_read_store_makes_the_backoffice_unready(
    without_elasticsearch: Platform,
) -> None:
    assert (await _get(create_backoffice_app, without_elasticsearch, "/ready")).status_code == 503
    assert (await _get(create_inventory_app, without_elasticsearch, "/ready")).status_code == 200


async def test_a_query_while_the_read_store_is_unreachable_is_a_503(
    without_elasticsearch: Platform,
) -> None:
    answer = await _get(create_backoffice_app, without_elasticsearch, "/tracking/order-1")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"


async def test_the_health_service_reports_the_read_store(without_elasticsearch: Platform) -> None:
    health = await _get(create_health_app, without_elasticsearch, "/health")
    assert health.status_code == 503
    assert health.json()["services"] == {
        database_label(without_elasticsearch): "ok",
        "elasticsearch": "error",
    }


async def test_a_read_store_in_the_database_is_not_reported_twice(platform: Platform) -> None:
    health = await _get(create_health_app, platform, "/health")
    assert health.status_code == 200
    assert health.json()["services"] == {database_label(platform): "ok"}
    assert (await _get(create_backoffice_app, platform, "/ready")).status_code == 200


async def test_the_inventory_api_starts_and_serves_without_its_unneeded_read_store(
    refusing_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It never touches tracking views: an Elasticsearch that does not answer is no reason
    # not to start (the read store's index is created by the roles that use it).
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/inventory.db")
    monkeypatch.setenv("ELASTICSEARCH_URL", refusing_url)
    async with (
        LifespanManager(create_inventory_app()) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://test"
        ) as client,
    ):
        added = await client.post(
            "/stock-items", json={"id": str(uuid.uuid4()), "name": "Desk", "quantity": 3}
        )
        ready = await client.get("/ready")
    assert (added.status_code, ready.status_code) == (201, 200)


async def test_the_relay_is_built_without_the_read_store(refusing_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/relay.db",
        rabbitmq_url="amqp://guest:guest@127.0.0.1:5672/",
        elasticsearch_url=refusing_url,
    )
    platform = await bootstrap(settings, read_store=False)
    try:
        platform.relay()
        assert "tracking_store" not in vars(platform)
    finally:
        await platform.close()
