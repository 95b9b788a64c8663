"""The Health service's route (port 3002): the status of every backing service, 200 or 503."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.probes import (
    check_database,
    check_rabbitmq,
    check_read_store,
    database_label,
    now_iso,
)

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Status of every backing service",
    responses={503: {"description": "a backing service is down"}},
)
async def health(platform: PlatformDep) -> JSONResponse:
    services = {database_label(platform): await check_database(platform)}
    if platform.settings.rabbitmq_url is not None:
        services["rabbitmq"] = await check_rabbitmq(platform.settings.rabbitmq_url)
    if (read_store := platform.tracking_store.service) is not None:
        services[read_store] = await check_read_store(platform)
    healthy = all(status == "ok" for status in services.values())
    body = {
        "status": "ok" if healthy else "error",
        "timestamp": now_iso(),
        "services": services,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
