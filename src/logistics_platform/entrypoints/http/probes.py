"""Liveness (``/health``) and readiness (``/ready``) for every API, and dependency checks."""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.schemas import HealthResponse
from logistics_platform.shared.infrastructure.persistence import database

CHECK_TIMEOUT = 2.0


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def _status(check: Awaitable[bool]) -> str:
    """ "ok" when ``check`` says yes within CHECK_TIMEOUT; "error" otherwise, or if it fails."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            answered = await check
    except Exception:
        return "error"
    return "ok" if answered else "error"


async def _rabbitmq_answers(url: str) -> bool:
    import aio_pika  # noqa: PLC0415 - only the health service asks the broker

    connection = await aio_pika.connect(url, timeout=CHECK_TIMEOUT)
    await connection.close()
    return True


async def check_database(platform: Platform) -> str:
    return await _status(database.answers(platform.engine))


async def check_rabbitmq(url: str) -> str:
    return await _status(_rabbitmq_answers(url))


async def check_read_store(platform: Platform) -> str:
    return await _status(platform.tracking_store.answers())


def database_label(platform: Platform) -> str:
    return "postgres" if platform.engine.dialect.name == "postgresql" else "sqlite"


def probes(service: str, *, liveness: bool = True, read_side: bool = False) -> APIRouter:
    """``/ready`` and, unless the app answers ``/health`` itself, ``/health``. A
    ``read_side`` service needs its read store too."""
    router = APIRouter(tags=["probes"])

    if liveness:

        @router.get("/health", summary="Liveness", response_model=HealthResponse)
        async def health() -> HealthResponse:
            """Liveness: the process answers."""
            return HealthResponse(status="ok", service=service, timestamp=now_iso())

    @router.get("/ready", summary="Readiness", response_model=HealthResponse, responses={503: {}})
    async def ready(platform: PlatformDep) -> JSONResponse:
        """Readiness: the database this service needs answers (and its read store)."""
        status = await check_database(platform)
        if status == "ok" and read_side and platform.tracking_store.service is not None:
            status = await check_read_store(platform)
        body = {"status": status, "service": service, "timestamp": now_iso()}
        return JSONResponse(body, status_code=200 if status == "ok" else 503)

    return router
