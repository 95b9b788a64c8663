"""Failures become problem documents with the right status (the one mapping place)."""

import re

import asyncpg
import elasticsearch
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from logistics_platform.entrypoints.http.apps import (
    create_backoffice_app,
    create_health_app,
    create_inventory_app,
)
from logistics_platform.entrypoints.http.problems import install_problem_handlers
from logistics_platform.shared.domain.errors import Conflict


class PostgresRefused(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"refused with {sqlstate}")
        self.sqlstate = sqlstate


def app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


async def status_of(error: Exception) -> int:
    transport = httpx.ASGITransport(app=app_raising(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert response.headers["content-type"] == "application/problem+json"
    return response.status_code


@pytest.mark.parametrize("sqlstate", ["53300", "57P01", "57P03"])
async def test_a_database_refusing_connections_is_a_503(sqlstate: str) -> None:
    assert await status_of(DBAPIError("SELECT 1", {}, PostgresRefused(sqlstate))) == 503


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in"),
    ],
)
async def test_the_driver_losing_or_refusing_its_connection_is_a_503(error: Exception) -> None:
    assert await status_of(error) == 503


async def test_any_other_driver_error_is_a_500() -> None:
    assert await status_of(asyncpg.UndefinedTableError("no such table")) == 500


async def test_an_unreachable_server_is_a_503() -> None:
    assert await status_of(ConnectionRefusedError("connect call failed")) == 503


async def test_any_other_database_error_is_a_500_without_details() -> None:
    assert await status_of(DBAPIError("SELECT 1", {}, PostgresRefused("42P01"))) == 500


async def test_an_unreachable_elasticsearch_is_a_503() -> None:
    assert await status_of(elasticsearch.ConnectionError("connection refused")) == 503


async def test_a_domain_failure_names_its_kind_in_the_problem_type() -> None:
    class InsufficientStock(Conflict):
        title = "Insufficient stock"

    transport = httpx.ASGITransport(app=app_raising(InsufficientStock("only 2 left")))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        body = (await client.get("/boom")).json()
    assert body == {
        "type": "/problems/insufficient-stock",
        "title": "Insufficient stock",
        "status": 409,
        "detail": "only 2 left",
        "error": "only 2 left",
    }


def test_every_api_documents_its_failures_as_problems_with_readable_operation_ids() -> None:
    for app in (create_inventory_app(), create_backoffice_app(), create_health_app()):
        schema = app.openapi()
        assert "HTTPValidationError" not in schema["components"]["schemas"]
        operation_ids = []
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation_ids.append(operation["operationId"])
                for status, response in operation["responses"].items():
                    if int(status) >= 400:
                        assert list(response["content"]) == ["application/problem+json"]
        assert len(set(operation_ids)) == len(operation_ids)
        assert all(re.fullmatch(r"[a-z_]+", op) for op in operation_ids), operation_ids
