from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.apps import (
    create_backoffice_app,
    create_health_app,
    create_inventory_app,
    create_logistics_app,
)


@dataclass
class Apis:
    """HTTP clients for the four APIs of one embedded platform."""

    platform: Platform
    inventory: httpx.AsyncClient
    backoffice: httpx.AsyncClient
    health: httpx.AsyncClient
    logistics: httpx.AsyncClient

    async def settle(self) -> None:
        """Let in-process delivery hand every recorded event to every subscriber."""
        assert self.platform.delivery is not None
        await self.platform.delivery.catch_up()


async def _client(app: FastAPI, stack: list[LifespanManager]) -> httpx.AsyncClient:
    manager = LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
    await manager.__aenter__()
    stack.append(manager)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test")


@pytest.fixture
async def apis(platform: Platform) -> AsyncIterator[Apis]:
    stack: list[LifespanManager] = []
    clients = Apis(
        platform,
        await _client(create_inventory_app(platform), stack),
        await _client(create_backoffice_app(platform), stack),
        await _client(create_health_app(platform), stack),
        await _client(create_logistics_app(platform), stack),
    )
    try:
        yield clients
    finally:
        for client in (clients.inventory, clients.backoffice, clients.health, clients.logistics):
            await client.aclose()
        for manager in reversed(stack):
            await manager.__aexit__(None, None, None)
