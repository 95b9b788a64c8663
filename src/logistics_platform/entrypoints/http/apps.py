"""The four HTTP apps, each its routers included (FastAPI's "bigger applications" layout).

Given a platform (``serve``, tests) an app uses it; otherwise it builds its own at start-up
with what its role needs. Each factory imports its own routers: a role that serves one API
does not pay for importing the others (the dashboard's templates, say)."""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.entrypoints.http import metrics
from logistics_platform.entrypoints.http.access_log import AccessLog
from logistics_platform.entrypoints.http.auth import Access, Role
from logistics_platform.entrypoints.http.idempotency import (
    IdempotencyKeys,
    document_idempotency_keys,
)
from logistics_platform.entrypoints.http.openapi import app_version, document_problems, operation_id
from logistics_platform.entrypoints.http.probes import probes
from logistics_platform.entrypoints.http.problems import install_problem_handlers
from logistics_platform.entrypoints.http.rate_limits import RateLimitHeaders
from logistics_platform.shared.infrastructure import tracing

STAFF = frozenset({Role.INVENTORY_WRITE, Role.LOGISTICS_OPERATE, Role.BACKOFFICE_READ})
INVENTORY = Access(read=STAFF, write=frozenset({Role.INVENTORY_WRITE}))
LOGISTICS = Access(
    read=frozenset({Role.LOGISTICS_OPERATE, Role.BACKOFFICE_READ}),
    write=frozenset({Role.LOGISTICS_OPERATE}),
)
BACKOFFICE = Access(
    read=frozenset({Role.BACKOFFICE_READ}),
    public=frozenset({"/tracking/by-number/{tracking_number}"}),  # a customer's lookup
)
WEBHOOKS = Access(read=frozenset({Role.BACKOFFICE_READ}))  # managing them: admin only


def create_inventory_app(platform: Platform | None = None) -> FastAPI:
    from logistics_platform.entrypoints.http import inventory, reservations  # noqa: PLC0415

    app = _app("Inventory API", "Stock items and reservations (write side).", platform)
    app.add_middleware(IdempotencyKeys, scope="inventory-api")
    document_idempotency_keys(app)
    install_problem_handlers(app)
    return _with(
        app,
        [probes("inventory-api")],
        [(inventory.router, INVENTORY), (reservations.router, INVENTORY)],
    )


def create_logistics_app(platform: Platform | None = None) -> FastAPI:
    from logistics_platform.entrypoints.http import logistics  # noqa: PLC0415

    description = "Packages and their delivery lifecycle (write side)."
    app = _app("Logistics API", description, platform)
    app.add_middleware(IdempotencyKeys, scope="logistics-api")
    document_idempotency_keys(app)
    install_problem_handlers(app)
    return _with(app, [probes("logistics-api")], [(logistics.router, LOGISTICS)])


def create_backoffice_app(platform: Platform | None = None) -> FastAPI:
    from logistics_platform.entrypoints.http import (  # noqa: PLC0415
        backoffice,
        dashboard,
        sla_alerts,
        webhooks,
    )

    description = "Tracking views built from domain events (read side)."
    app = _app("Backoffice API", description, platform, read_store=True)
    install_problem_handlers(app)
    dashboard.install(app)  # its pages are not part of the API (left out of its schema)
    return _with(
        app,
        [probes("backoffice-api", read_side=True)],
        [
            (backoffice.router, BACKOFFICE),
            (sla_alerts.router, BACKOFFICE),
            (webhooks.router, WEBHOOKS),
        ],
    )


def create_health_app(platform: Platform | None = None) -> FastAPI:
    from logistics_platform.entrypoints.http import health  # noqa: PLC0415

    app = _app(
        "Health service", "Reports whether the platform's backing services answer.", platform
    )
    return _with(app, [probes("health-check", liveness=False), health.router])


def create_metrics_app(platform: Platform) -> FastAPI:
    """``/metrics`` alone: for the roles without an API (relay, consumers)."""
    return _with(_app("Metrics", "The process's Prometheus metrics.", platform), [])


def _app(
    title: str, description: str, platform: Platform | None, *, read_store: bool = False
) -> FastAPI:
    app = FastAPI(
        title=title,
        version=app_version(),
        description=description,
        lifespan=_lifespan(platform, read_store=read_store),
        generate_unique_id_function=operation_id,
    )
    app.state.stopping = asyncio.Event()  # see stopping()
    app.add_middleware(RateLimitHeaders)
    tracing.instrument_app(app)  # when tracing: the platform was bootstrapped already
    return app


def stopping(app: FastAPI) -> None:
    """The process is stopping: long-lived answers (the dashboard's event streams) end
    now, so that the server's graceful shutdown does not wait its whole grace for them."""
    app.state.stopping.set()


def _with(
    app: FastAPI,
    public: list[APIRouter],
    guarded: Sequence[tuple[APIRouter, Access]] = (),
) -> FastAPI:
    """``app`` with routers anyone may call (probes, /metrics) and routers behind their
    access rule; every request logged once, with its correlation id (the outermost layer,
    so that refusals by the others are logged too)."""
    for router in [*public, metrics.router]:
        app.include_router(router)
    for router, access in guarded:
        app.include_router(router, dependencies=[access.dependency()])
    document_problems(app, public=frozenset().union(*(access.public for _, access in guarded)))
    app.add_middleware(AccessLog, api=app.title.lower().replace(" ", "-"))
    app.add_middleware(_Cors)  # outermost: a preflight is answered before anything else
    return app


class _Cors:
    """CORS for the origins in CORS_ORIGINS (none by default), read at the first request:
    the settings come with the platform, which exists only from start-up on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.cors is None:
            self.cors = CORSMiddleware(
                self.app,
                allow_origins=scope["app"].state.platform.settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key", _CORRELATION],
                expose_headers=[_CORRELATION, "Retry-After", *_RATE_LIMIT_HEADERS],
            )
        await self.cors(scope, receive, send)


_CORRELATION = "X-Correlation-Id"
_RATE_LIMIT_HEADERS = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]


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
