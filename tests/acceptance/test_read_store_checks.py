"""The backoffice and the health service count an Elasticsearch read store among the
services they need: when it does not answer, they say so (503), and the Inventory API,
which does not need it, stays ready."""

import dataclasses
import socket
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from elasticsearch import AsyncElasticsearch
from fastapi import FastAPI

from logistics_platform.backoffice.infrastructure.es_store import EsTrackingStore
from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.backoffice_api import create_backoffice_app
from logistics_platform.entrypoints.http.health_api import create_health_app
from logistics_platform.entrypoints.http.inventory_api import create_inventory_app
from logistics_platform.entrypoints.http.probes import database_label


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """An address where nothing listens: a bound socket that never accepts."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


@pytest.fixture
async def without_elasticsearch(platform: Platform, refusing_url: str) -> AsyncIterator[Platform]:
    client = AsyncElasticsearch(refusing_url, request_timeout=1)
    store = EsTrackingStore(client, platform.engine, alias="tracking_views")
    try:
        yield dataclasses.replace(platform, tracking_store=store)
    finally:
        await client.close()


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


async def test_an_unreachable_read_store_makes_the_backoffice_unready(
    without_elasticsearch: Platform,
) -> None:
    assert (await _get(create_backoffice_app, without_elasticsearch, "/ready")).status_code == 503
    assert (await _get(create_inventory_app, without_elasticsearch, "/ready")).status_code == 200


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
