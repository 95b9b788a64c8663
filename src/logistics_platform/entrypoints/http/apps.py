"""The three HTTP apps, each its routers included (FastAPI's "bigger applications" layout).

Given a platform (``serve``, tests) an app uses it; otherwise it builds its own at start-up
with what its role needs."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.entrypoints.http import backoffice, health, inventory, reservations
from logistics_platform.entrypoints.http.probes import probes
from logistics_platform.entrypoints.http.problems import install_problem_handlers


def create_inventory_app(platform: Platform | None = None) -> FastAPI:
    app = _app("Inventory API", "Stock items and reservations (write side).", platform)
    install_problem_handlers(app)
    return _with(app, probes("inventory-api"), inventory.router, reservations.router)


def create_backoffice_app(platform: Platform | None = None) -> FastAPI:
    description = "Tracking views built from domain events (read side)."
    app = _app("Backoffice API", description, platform, read_store=True)
    install_problem_handlers(app)
    return _with(app, probes("backoffice-api", read_side=True), backoffice.router)


def create_health_app(platform: Platform | None = None) -> FastAPI:
    app = _app(
        "Health service", "Reports whether the platform's backing services answer.", platform
    )
    return _with(app, probes("health-check", liveness=False), health.router)


def _app(
    title: str, description: str, platform: Platform | None, *, read_store: bool = False
) -> FastAPI:
    return FastAPI(
        title=title,
        version="1.0.0",
        description=description,
        lifespan=_lifespan(platform, read_store=read_store),
    )


def _with(app: FastAPI, *routers: APIRouter) -> FastAPI:
    for router in routers:
        app.include_router(router)
    return app


def _lifespan(
    platform: Platform | None, *, read_store: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if platform is not None:
            app.state.platform = platform
            yield
            return
        own = await bootstrap(read_store=read_store)
        app.state.platform = own
        try:
            yield
        finally:
            await own.close()

    return lifespan
