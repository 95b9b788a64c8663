"""The ``logistics`` command: one subcommand per process role, plus operations.

Each command imports what it runs when it runs: ``--help`` loads neither the web
framework nor the database drivers.
"""

import asyncio
from typing import Annotated, Any

import typer

from logistics_platform.entrypoints import environment as env
from logistics_platform.entrypoints.catalogue_commands import events
from logistics_platform.entrypoints.event_commands import Context, consumer_role, dead_letters
from logistics_platform.entrypoints.projection_commands import projections
from logistics_platform.entrypoints.settings import (
    fail_to_start,
    name_the_command,
    one_line,
    settings_for_a_role,
)

app = typer.Typer(
    help="Event-driven logistics platform: inventory, logistics and backoffice.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(projections, name="projections")
app.add_typer(dead_letters, name="dead-letters")
app.add_typer(events, name="events")


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version  # noqa: PLC0415

        typer.echo(f"logistics {version('logistics-platform')}")
        raise typer.Exit


@app.callback()
def _options(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Event-driven logistics platform: inventory, logistics and backoffice."""
    name_the_command(context.invoked_subcommand)


PORTS = ("INVENTORY_PORT", "LOGISTICS_PORT", "BACKOFFICE_PORT", "HEALTH_PORT")
Port = Annotated[int | None, typer.Option(help="Port to listen on (default from settings)")]


@app.command(
    epilog=env.reads(
        env.STORE,
        env.LOGS,
        env.HTTP,
        env.READ_STORE,
        env.BROKER,
        env.RELAY,
        env.CONSUMER,
        env.DELIVERY,
        env.EMBEDDED,
        env.SWEEPER,
        env.SLA,
        env.WEBHOOK_DISPATCHER,
        PORTS,
    )
)
def serve() -> None:
    """Run every API, the event delivery and every subscriber: the APIs in one process,
    the delivery in a second one (DELIVERY_PROCESS=false: all in one)."""
    from logistics_platform.entrypoints import delivery_process  # noqa: PLC0415 - see module doc

    settings = settings_for_a_role()
    apis: dict[str, int | None] = dict.fromkeys(("inventory", "backoffice", "health", "logistics"))
    if delivery_process.runs_apart(settings):
        with delivery_process.shared_metrics():
            _run(
                apis,
                read_store=True,
                workers=lambda platform: [
                    platform.reservation_sweeper().run,
                    delivery_process.DeliveryProcess(platform).run,
                ],
            )
        return
    _run(
        apis,
        deliver=True,
        read_store=True,
        workers=lambda platform: [
            platform.reservation_sweeper().run,
            platform.sla_monitor().run,
            platform.webhook_dispatcher().run,
        ],
    )


@app.command("inventory-api", epilog=env.reads(env.STORE, env.LOGS, env.HTTP, env.SWEEPER, PORTS))
def inventory_api(port: Port = None) -> None:
    """Run the Inventory API alone (write side, default port 3000) and its reservation sweeper."""
    settings_for_a_role()
    _run({"inventory": port}, workers=lambda platform: [platform.reservation_sweeper().run])


@app.command("logistics-api", epilog=env.reads(env.STORE, env.LOGS, env.HTTP, PORTS))
def logistics_api(port: Port = None) -> None:
    """Run the Logistics API alone (packages and their lifecycle, default port 3003)."""
    settings_for_a_role()
    _run({"logistics": port})


@app.command(
    "backoffice-api",
    epilog=env.reads(env.STORE, env.LOGS, env.HTTP, env.READ_STORE, env.WEBHOOKS, PORTS),
)
def backoffice_api(port: Port = None) -> None:
    """Run the Backoffice API alone (read side, default port 3001)."""
    settings_for_a_role()
    _run({"backoffice": port}, read_store=True)


@app.command(
    "health-api", epilog=env.reads(env.STORE, env.LOGS, env.HTTP, env.READ_STORE, env.BROKER, PORTS)
)
def health_api(port: Port = None) -> None:
    """Run the Health service alone (default port 3002)."""
    settings_for_a_role()
    _run({"health": port})


@app.command(epilog=env.reads(env.STORE, env.LOGS, env.BROKER, env.RELAY, env.DELIVERY))
def relay() -> None:
    """Publish the outbox to RabbitMQ, in order, in batches (run one or several)."""
    settings_for_a_role(broker=True)
    _run({}, workers=lambda platform: [platform.relay().run])


@app.command(
    epilog=env.reads(
        env.STORE,
        env.LOGS,
        env.BROKER,
        env.CONSUMER,
        env.DELIVERY,
        env.READ_STORE,
        env.SLA,
        env.WEBHOOK_DISPATCHER,
    )
)
def consumer(context: Annotated[Context, typer.Argument(help="whose subscribers to run")]) -> None:
    """Consume the RabbitMQ queues of one context's subscribers (backoffice: and raise
    the SLA alerts that fall due, and send the webhooks)."""
    settings_for_a_role(broker=True, role=f"consumer-{context.value}")
    _run({}, workers=consumer_role(context), read_store=context is Context.backoffice)


@app.command()
def simulate(  # noqa: PLR0917 - typer reads options from the signature
    orders: Annotated[int, typer.Option(min=1, help="How many orders to place")] = 200,
    rate: Annotated[float, typer.Option(min=0.1, help="Orders started per second")] = 50.0,
    seed: Annotated[int | None, typer.Option(help="Random seed, to repeat a run")] = None,
    inventory_url: Annotated[str, typer.Option(help="Inventory API")] = "http://127.0.0.1:3000",
    logistics_url: Annotated[str, typer.Option(help="Logistics API")] = "http://127.0.0.1:3003",
    backoffice_url: Annotated[str, typer.Option(help="Backoffice API")] = "http://127.0.0.1:3001",
) -> None:
    """Drive a realistic day through the public APIs of a running platform, then reconcile
    stock, packages, reservations and tracking views (exit 1 if anything disagrees)."""
    from logistics_platform.entrypoints.simulation import Endpoints, Options  # noqa: PLC0415
    from logistics_platform.entrypoints.simulation import simulate as run  # noqa: PLC0415

    report = run(
        Endpoints(inventory_url, logistics_url, backoffice_url),
        Options(orders=orders, rate=rate, seed=seed),
    )
    if not report.reconciled:
        raise typer.Exit(1)


@app.command(epilog=env.reads(("JWT_SECRET", "JWT_AUDIENCE", "JWT_ISSUER", "JWT_ROLES_CLAIM")))
def token(
    role: Annotated[
        list[str],
        typer.Option(
            help="inventory:write, logistics:operate, backoffice:read or admin (repeatable)"
        ),
    ],
    ttl: Annotated[int, typer.Option(min=1, max=31_536_000, help="Seconds it is valid")] = 3600,
    subject: Annotated[str, typer.Option(help="Who the token names (`sub`)")] = "local-user",
) -> None:
    """Mint a bearer token signed with JWT_SECRET, for local use and tests."""
    from logistics_platform.entrypoints.http.auth import Role, mint_token  # noqa: PLC0415

    unknown = sorted(set(role) - set(Role))
    if unknown:
        raise typer.BadParameter(f"unknown role {', '.join(unknown)}", param_hint="--role")
    try:
        typer.echo(mint_token(settings_for_a_role(), role, subject=subject, ttl_seconds=ttl))
    except ValueError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@db.command("upgrade", epilog=env.reads(env.STORE, env.LOGS))
def db_upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from logistics_platform.shared.infrastructure.persistence import migrations  # noqa: PLC0415

    settings = settings_for_a_role()
    try:
        asyncio.run(migrations.upgrade_url(settings.database_url))
    except Exception as error:  # the database unreachable, say: no traceback
        fail_to_start(f"could not upgrade the database: {one_line(error)}")
    typer.secho("database is up to date", fg=typer.colors.GREEN)


def _run(apis: dict[str, int | None], **role: Any) -> None:
    """Run a role until it is stopped (see ``runner.run_role``)."""
    from logistics_platform.entrypoints.runner import run_role  # noqa: PLC0415 - see module doc

    code = run_role(apis, **role)
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()
