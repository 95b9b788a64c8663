"""``logistics projections``: rebuild the read side from the event log, and see its lag."""

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from logistics_platform.entrypoints.settings import settings_for_a_role

if TYPE_CHECKING:
    from logistics_platform.backoffice.application.ports import ProjectionLag
    from logistics_platform.backoffice.application.rebuild import RebuildReport
    from logistics_platform.config import Settings

projections = typer.Typer(help="Read-side projections (tracking views).", no_args_is_help=True)
console = Console()

BatchSize = Annotated[
    int, typer.Option(min=1, max=10_000, help="Events replayed per read and write")
]


@projections.command("rebuild")
def rebuild(batch_size: BatchSize = 2000) -> None:
    """Rebuild the tracking views from every recorded event into a fresh table (or index),
    then swap it in. The APIs keep answering from the current views meanwhile."""
    report = asyncio.run(_rebuild(settings_for_a_role(), batch_size))
    skipped = f", skipped {report.skipped} malformed" if report.skipped else ""
    console.print(
        f"[green]rebuilt {report.views:,} tracking views from {report.events:,} events"
        f"{skipped} in {report.seconds:.1f} s ({report.events_per_second:,.0f} events/s)[/green]"
    )


@projections.command("status")
def status() -> None:
    """Each projection's last applied event and how far it is behind the event log."""
    from rich.table import Table  # noqa: PLC0415

    kind, views, lags = asyncio.run(_status(settings_for_a_role()))
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


async def _rebuild(settings: "Settings", batch_size: int) -> "RebuildReport":
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from logistics_platform.backoffice.application.rebuild import (  # noqa: PLC0415
        TRACKING_EVENTS,
        rebuild_tracking,
    )
    from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog  # noqa: PLC0415
    from logistics_platform.bootstrap import bootstrap  # noqa: PLC0415

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


async def _status(settings: "Settings") -> "tuple[str, int, list[ProjectionLag]]":
    """Read-only: the schema is left as it is."""
    from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog  # noqa: PLC0415
    from logistics_platform.bootstrap import bootstrap  # noqa: PLC0415

    platform = await bootstrap(settings, migrate=False)
    try:
        lags = await OutboxEventLog(platform.engine).lag(platform.projections())
        return platform.tracking_store.kind, await platform.tracking.count(), lags
    finally:
        await platform.close()
