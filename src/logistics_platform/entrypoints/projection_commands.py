"""``logistics projections``: rebuild the read side from the event log, and see its lag."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from logistics_platform.backoffice.application.ports import ProjectionLag
from logistics_platform.backoffice.application.rebuild import (
    TRACKING_EVENTS,
    RebuildReport,
    rebuild_tracking,
)
from logistics_platform.backoffice.application.subscribers import backoffice_projections
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.logging import configure_logging

projections = typer.Typer(help="Read-side projections (tracking views).", no_args_is_help=True)
console = Console()

BatchSize = Annotated[
    int, typer.Option(min=1, max=10_000, help="Events replayed per read and write")
]


@projections.command("rebuild")
def rebuild(batch_size: BatchSize = 2000) -> None:
    """Rebuild the tracking views from every recorded event into a fresh table (or index),
    then swap it in. The APIs keep answering from the current views meanwhile."""
    settings = Settings()
    configure_logging(settings)
    report = asyncio.run(_rebuild(settings, batch_size))
    skipped = f", skipped {report.skipped} malformed" if report.skipped else ""
    console.print(
        f"[green]rebuilt {report.views:,} tracking views from {report.events:,} events"
        f"{skipped} in {report.seconds:.1f} s ({report.events_per_second:,.0f} events/s)[/green]"
    )


@projections.command("status")
def status() -> None:
    """Each projection's last applied event and how far it is behind the event log."""
    settings = Settings()
    configure_logging(settings)
    kind, views, lags = asyncio.run(_status(settings))
    table = Table(title=f"projections ({kind} store, {views:,} tracking views)")
    table.add_column("projection", no_wrap=True)
    for column in ("last applied", "log head", "behind", "seconds behind"):
        table.add_column(column, justify="right")
    table.add_column("last event occurred on")
    for lag in lags:
        table.add_row(
            lag.projection,
            "-" if lag.position is None else str(lag.position),
            str(lag.head),
            str(lag.behind),
            f"{lag.seconds_behind:.1f}",
            "-" if lag.occurred_on is None else lag.occurred_on.isoformat(timespec="seconds"),
        )
    console.print(table)


async def _rebuild(settings: Settings, batch_size: int) -> RebuildReport:
    platform = await bootstrap(settings)
    try:
        events = OutboxEventLog(platform.engine)
        total = await events.count(after=0, names=TRACKING_EVENTS)
        columns = (
            TextColumn("replaying events"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("rebuild", total=total)
            return await rebuild_tracking(
                platform.tracking_store,
                events,
                batch_size=batch_size,
                on_progress=lambda applied: progress.advance(task, applied),
            )
    finally:
        await platform.close()


async def _status(settings: Settings) -> tuple[str, int, list[ProjectionLag]]:
    platform = await bootstrap(settings)
    try:
        lags = await OutboxEventLog(platform.engine).lag(
            backoffice_projections(platform.subscribers)
        )
        return platform.tracking_store.kind, await platform.tracking.count(), lags
    finally:
        await platform.close()
