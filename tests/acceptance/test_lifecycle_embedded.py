"""The delivery lifecycle on the embedded default: `logistics serve` as a real process on a
SQLite file, its tracking views in the database or in the search server (Elasticsearch or
its compatible stand-in), driven over HTTP only."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from logistics_platform.config import Settings
from tests.lifecycle import (
    Operator,
    Stack,
    a_whole_life,
    releasing_cancelling_and_expiring,
    twelve_concurrent_outcomes,
)
from tests.processes import Processes, environment, free_port
from tests.search_server import SearchServer

Scenario = Callable[[Operator], Awaitable[None]]


async def serve(tmp_path: Path, search: SearchServer | None = None) -> AsyncIterator[Stack]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'lifecycle.db'}",
        rate_limit="none",
        read_store="elasticsearch" if search else "sql",
        elasticsearch_url=search.url if search else None,
        elasticsearch_index=f"test_{uuid.uuid4().hex[:12]}_tracking_views",
    )
    processes = Processes(environment(settings), tmp_path)
    ports = {api: free_port() for api in ("inventory", "logistics", "backoffice", "health")}
    try:
        process = processes.logistics(
            "serve", "serve", **{f"{api.upper()}_PORT": str(port) for api, port in ports.items()}
        )
        urls = {api: await processes.wait_for_http(process, port) for api, port in ports.items()}
        yield Stack(urls["inventory"], urls["logistics"], urls["backoffice"], processes)
    finally:
        processes.stop_all()


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[Stack]:
    async for stack in serve(tmp_path):
        yield stack


@pytest.mark.parametrize(
    "scenario", [a_whole_life, releasing_cancelling_and_expiring, twelve_concurrent_outcomes]
)
async def test_the_lifecycle_on_the_embedded_default(embedded: Stack, scenario: Scenario) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        await scenario(Operator(client, embedded))


async def test_the_whole_life_with_the_views_in_the_search_server(
    tmp_path: Path, search_server: SearchServer
) -> None:
    async for stack in serve(tmp_path, search_server):
        async with httpx.AsyncClient(timeout=60) as client:
            await a_whole_life(Operator(client, stack))
