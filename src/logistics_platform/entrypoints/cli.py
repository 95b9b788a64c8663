"""The ``logistics`` command: one subcommand per process role, plus operations."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer
from fastapi import FastAPI
from rich.console import Console

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints import event_commands
from logistics_platform.entrypoints import workers as event_workers
from logistics_platform.entrypoints.http.backoffice_api import create_backoffice_app
from logistics_platform.entrypoints.http.health_api import create_health_app
from logistics_platform.entrypoints.http.inventory_api import create_inventory_app
from logistics_platform.entrypoints.logging import configure_logging
from logistics_platform.entrypoints.projection_commands import projections
from logistics_platform.entrypoints.runner import HttpService, run, run_process, stop_on_signals
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import create_engine

app = typer.Typer(
    help="Event-driven logistics platform: inventory, logistics and backoffice.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(projections, name="projections")
console = Console()

Port = Annotated[int | None, typer.Option(help="Port to listen on (default from settings)")]


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings)
    return settings


def _exit_with(code: int) -> None:
    if code:
        raise typer.Exit(code)


async def _serve(
    settings: Settings,
    services: Callable[[Platform], list[HttpService]],
    *,
    deliver: bool,
) -> int:
    stop = stop_on_signals()
    platform = await bootstrap(settings)
    workers: list[Callable[[], Coroutine[Any, Any, None]]] = []
    if deliver and platform.delivery is not None:
        workers.append(platform.delivery.run)
    if deliver and settings.rabbitmq_url is not None:
        workers.extend(event_workers.transport(platform))
    return await run(
        host=settings.host,
        services=services(platform),
        workers=workers,
        on_stop=platform.close,
        stop=stop,
    )


@app.command()
def serve() -> None:
    """Run every API, the event delivery and every subscriber in one process."""
    settings = _settings()

    def services(platform: Platform) -> list[HttpService]:
        return [
            HttpService("Inventory API", create_inventory_app(platform), settings.inventory_port),
            HttpService(
                "Backoffice API", create_backoffice_app(platform), settings.backoffice_port
            ),
            HttpService("Health service", create_health_app(platform), settings.health_port),
        ]

    _exit_with(run_process(_serve(settings, services, deliver=True)))


def _serve_alone(
    settings: Settings, name: str, create: Callable[[Platform], FastAPI], port: int
) -> None:
    """One API in its own process (no event delivery: the relay and consumers do that)."""

    def services(platform: Platform) -> list[HttpService]:
        return [HttpService(name, create(platform), port)]

    _exit_with(run_process(_serve(settings, services, deliver=False)))


@app.command("inventory-api")
def inventory_api(port: Port = None) -> None:
    """Run the Inventory API alone (write side, default port 3000)."""
    settings = _settings()
    _serve_alone(settings, "Inventory API", create_inventory_app, port or settings.inventory_port)


@app.command("backoffice-api")
def backoffice_api(port: Port = None) -> None:
    """Run the Backoffice API alone (read side, default port 3001)."""
    settings = _settings()
    _serve_alone(
        settings, "Backoffice API", create_backoffice_app, port or settings.backoffice_port
    )


@app.command("health-api")
def health_api(port: Port = None) -> None:
    """Run the Health service alone (default port 3002)."""
    settings = _settings()
    _serve_alone(settings, "Health service", create_health_app, port or settings.health_port)


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    settings = _settings()

    async def upgrade() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrations.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
    console.print("[green]database is up to date[/green]")


app.command()(event_commands.relay)
app.command()(event_commands.consumer)
app.add_typer(event_commands.dead_letters, name="dead-letters")


def main() -> None:
    app()
