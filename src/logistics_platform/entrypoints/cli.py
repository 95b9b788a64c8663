"""The ``logistics`` command: one subcommand per process role, plus operations.

Each command imports what it runs when it runs: ``--help`` loads neither the web
framework nor the database drivers.
"""

import asyncio
from typing import Annotated, Any

import typer

from logistics_platform.entrypoints.event_commands import Context, consumer_role, dead_letters
from logistics_platform.entrypoints.projection_commands import projections
from logistics_platform.entrypoints.settings import settings_for_a_role

app = typer.Typer(
    help="Event-driven logistics platform: inventory, logistics and backoffice.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(projections, name="projections")
app.add_typer(dead_letters, name="dead-letters")

Port = Annotated[int | None, typer.Option(help="Port to listen on (default from settings)")]


@app.command()
def serve() -> None:
    """Run every API, the event delivery and every subscriber in one process."""
    settings_for_a_role()
    _run(
        {"inventory": None, "backoffice": None, "health": None},
        deliver=True,
        read_store=True,
        workers=lambda platform: [platform.reservation_sweeper().run],
    )


@app.command("inventory-api")
def inventory_api(port: Port = None) -> None:
    """Run the Inventory API alone (write side, default port 3000) and its reservation sweeper."""
    settings_for_a_role()
    _run({"inventory": port}, workers=lambda platform: [platform.reservation_sweeper().run])


@app.command("backoffice-api")
def backoffice_api(port: Port = None) -> None:
    """Run the Backoffice API alone (read side, default port 3001)."""
    settings_for_a_role()
    _run({"backoffice": port}, read_store=True)


@app.command("health-api")
def health_api(port: Port = None) -> None:
    """Run the Health service alone (default port 3002)."""
    settings_for_a_role()
    _run({"health": port})


@app.command()
def relay() -> None:
    """Publish the outbox to RabbitMQ, in order, in batches (run one or several)."""
    settings_for_a_role(broker=True)
    _run({}, workers=lambda platform: [platform.relay().run])


@app.command()
def consumer(context: Annotated[Context, typer.Argument(help="whose subscribers to run")]) -> None:
    """Consume the RabbitMQ queues of one context's subscribers."""
    settings_for_a_role(broker=True)
    _run({}, workers=consumer_role(context), read_store=context is Context.backoffice)


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from logistics_platform.shared.infrastructure.persistence import migrations  # noqa: PLC0415

    settings = settings_for_a_role()
    asyncio.run(migrations.upgrade_url(settings.database_url))
    typer.secho("database is up to date", fg=typer.colors.GREEN)


def _run(apis: dict[str, int | None], **role: Any) -> None:
    """Run a role until it is stopped (see ``runner.run_role``)."""
    from logistics_platform.entrypoints.runner import run_role  # noqa: PLC0415 - see module doc

    code = run_role(apis, **role)
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()
