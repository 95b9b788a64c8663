"""Running HTTP apps and background workers in one event loop, and stopping them cleanly."""

import asyncio
import contextlib
import gc
import signal
import socket
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
import uvicorn
from fastapi import FastAPI

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http import apps
from logistics_platform.entrypoints.http.connections import BoundedHttpToolsProtocol
from logistics_platform.entrypoints.settings import one_line

log = structlog.get_logger(__name__)

T = TypeVar("T")
Worker = Callable[[], Coroutine[Any, Any, None]]

SHUTDOWN_GRACE_SECONDS = 20
# Connections (and requests in progress) an API serves at once; beyond, 503 at once
# rather than a process that runs out of memory or file descriptors.
MAX_CONNECTIONS = 2048
KEEP_ALIVE_SECONDS = 75


@dataclass(frozen=True, slots=True)
class HttpService:
    name: str
    app: FastAPI
    port: int


class _Server(uvicorn.Server):
    def __init__(self, service: HttpService, host: str) -> None:
        super().__init__(_config(service, host))
        self.service = service

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the runner owns SIGINT/SIGTERM for every server in the process

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            url = f"http://{self.config.host}:{self.config.port}"
            log.info(f"{self.service.name} listening", url=url, docs=f"{url}/docs")


def run_process(main: Coroutine[Any, Any, T]) -> T:
    """Run a process role's ``main`` on uvloop where it exists: a cheaper event loop per
    database round trip, which every request and event pays.

    What start-up made (the imported modules, classes and functions) lives as long as the
    process, so it is frozen out of the garbage collector's way first: otherwise every
    full collection walks all of it again and holds up every request and event of the
    process meanwhile (ADR 0003, "Garbage collection")."""
    _freeze_what_start_up_made()
    try:
        import uvloop  # noqa: PLC0415 - optional: not built for every platform
    except ImportError:  # pragma: no cover - e.g. Windows
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def _freeze_what_start_up_made() -> None:
    gc.collect()  # what start-up left behind is not kept for ever
    gc.freeze()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT/SIGTERM. Install it before start-up work (migrations,
    connections), so that a stop requested meanwhile is honoured rather than killing."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def run(
    *,
    host: str,
    services: list[HttpService],
    workers: list[Callable[[], Coroutine[Any, Any, None]]],
    on_stop: Callable[[], Awaitable[None]],
    stop: asyncio.Event | None = None,
) -> int:
    """Serve until ``stop`` is set (by default SIGINT/SIGTERM) or until something fails;
    returns an exit code."""
    # Again: a role imports its adapters' libraries (the broker's client, say) and builds
    # its apps and workers only now, after run_process froze the rest.
    _freeze_what_start_up_made()
    servers = [_Server(service, host) for service in services]
    stop = stop or stop_on_signals()
    if stop.is_set():  # asked to stop while starting up
        await on_stop()
        return 0
    serving = [asyncio.create_task(_serve(server), name=server.service.name) for server in servers]
    working = [asyncio.create_task(worker(), name=worker.__name__) for worker in workers]
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*serving, *working, stopped], return_when=asyncio.FIRST_COMPLETED)
    failed = [task for task in done if task is not stopped]
    for task in failed:
        error = None if task.cancelled() else task.exception()
        reason = one_line(error) if error else "it returned"
        log.error("stopping: a service ended unexpectedly", service=task.get_name(), reason=reason)
    log.info("shutting down")
    for server in servers:
        apps.stopping(server.service.app)
        server.should_exit = True
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*serving, return_exceptions=True), SHUTDOWN_GRACE_SECONDS
        )
    for task in [*working, stopped, *serving]:
        task.cancel()
    await asyncio.gather(*working, stopped, *serving, return_exceptions=True)
    await on_stop()
    log.info("stopped")
    return 1 if failed else 0


async def _serve(server: _Server) -> None:
    try:
        await server.serve()
    except SystemExit:  # uvicorn exits when it cannot bind its port
        raise RuntimeError(f"could not start on port {server.config.port}") from None


def _config(service: HttpService, host: str) -> uvicorn.Config:
    return uvicorn.Config(
        service.app,
        host=host,
        port=service.port,
        http=BoundedHttpToolsProtocol,
        limit_concurrency=MAX_CONNECTIONS,
        # Idle connections outlive the clients' and load balancers' own idle timeouts
        # (httpx 5 s, most balancers 60 s): the client closes first, so a request never
        # races the server closing the connection it was sent on.
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="none",  # no WebSocket route (the live dashboard is SSE): skips importing websockets
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


# The HTTP apps a role can serve: their name, factory and configured port.
APIS: dict[str, tuple[str, Callable[[Platform], FastAPI], Callable[[Settings], int]]] = {
    "inventory": ("Inventory API", apps.create_inventory_app, lambda s: s.inventory_port),
    "backoffice": ("Backoffice API", apps.create_backoffice_app, lambda s: s.backoffice_port),
    "health": ("Health service", apps.create_health_app, lambda s: s.health_port),
    "logistics": ("Logistics API", apps.create_logistics_app, lambda s: s.logistics_port),
}


def run_role(
    apis: dict[str, int | None],
    *,
    deliver: bool = False,
    read_store: bool = False,
    workers: Callable[[Platform], list[Worker]] | None = None,
) -> int:
    """A process role until it is stopped: ``apis`` (key in :data:`APIS` → port, or None
    for the configured one) and ``workers`` on one platform, with the event delivery when
    ``deliver``. Returns an exit code."""

    async def main() -> int:
        stop = stop_on_signals()
        try:
            platform = await bootstrap(read_store=read_store)
        except Exception as error:  # database or read store unreachable, say: no traceback
            log.error("could not start", reason=one_line(error))
            return 1
        if apis and platform.settings.auth == "none":
            log.warning(
                "AUTH=none: these APIs are open, anyone may write;"
                " set AUTH=jwt and JWT_SECRET (or JWT_JWKS_URL) before exposing them"
            )
        services = [_service(platform, api, port) for api, port in apis.items()]
        return await run(
            host=platform.settings.host,
            services=services or _metrics_service(platform),
            workers=[*(workers(platform) if workers else []), *_delivery(platform, deliver)],
            on_stop=platform.close,
            stop=stop,
        )

    return run_process(main())


def _metrics_service(platform: Platform) -> list[HttpService]:
    """A role without an API serves its metrics on METRICS_PORT, if set."""
    port = platform.settings.metrics_port
    return [] if port is None else [HttpService("Metrics", apps.create_metrics_app(platform), port)]


def _service(platform: Platform, api: str, port: int | None) -> HttpService:
    name, create, configured_port = APIS[api]
    return HttpService(name, create(platform), port or configured_port(platform.settings))


def _delivery(platform: Platform, deliver: bool) -> list[Worker]:
    if not deliver:
        return []
    if platform.delivery is not None:
        return [platform.delivery.run]
    return [platform.relay().run, platform.consumer().run]
