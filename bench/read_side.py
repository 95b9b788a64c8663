"""Read-side benchmark: rebuild speed and query latency on N tracking views, per SQL store.

    .venv/bin/python bench/read_side.py [--views 100000] [--queries 200] [--stores sqlite,postgres]

For each store: record a shop's events straight into the outbox (items added, N
reservations, 80 % of them packed, over 30 days), rebuild the tracking views from that log
(events/s), then time the read API's queries against the store (p50/p99 in ms).
PostgreSQL: a fresh database on BENCH_POSTGRES_URL (default the local server), dropped after.
"""

import argparse
import asyncio
import logging
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from logistics_platform.backoffice.application.queries import (
    SummaryQuery,
    TrackingSearch,
    TrackingSort,
)
from logistics_platform.backoffice.application.rebuild import RebuildReport, rebuild_tracking
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.backoffice.infrastructure.sql_store import SqlTrackingStore
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.persistence import migrations, outbox
from logistics_platform.shared.infrastructure.persistence.database import create_engine

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ITEMS = 200
START = datetime(2026, 1, 1, tzinfo=UTC)
console = Console()


@dataclass
class Shop:
    events: list[EventEnvelope]
    items: list[str]
    reservations: list[str]
    tracking_numbers: list[str]


def a_shop(views: int, seed: int = 42) -> Shop:
    rng = random.Random(seed)
    items = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(ITEMS)]
    events = [
        _event("inventory.stock_item.added", item, START, name=f"Camera Drone {n}", quantity=10**9)
        for n, item in enumerate(items)
    ]
    reservations, numbers = [], []
    for n in range(views):
        reservation, item = f"order-{n:07d}", rng.choice(items)
        reserved_on = START + timedelta(seconds=rng.uniform(0, 30 * 86_400))
        events.append(
            _event(
                "inventory.stock_item.reserved",
                item,
                reserved_on,
                quantity=rng.randint(1, 20),
                reservationId=reservation,
            )
        )
        reservations.append(reservation)
        if rng.random() < 0.8:
            number = f"TN{n:08d}"
            events.append(
                _event(
                    "logistics.package.registered",
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    reserved_on + timedelta(seconds=rng.expovariate(1 / 30)),
                    trackingNumber=number,
                    reservationId=reservation,
                )
            )
            numbers.append(number)
    return Shop(events, items, reservations, numbers)


def _event(event_name: str, aggregate: str, on: datetime, **attributes: Any) -> EventEnvelope:
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=event_name,
        occurred_on=on,
        aggregate_id=aggregate,
        attributes={"id": aggregate, **attributes},
    )


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{directory}/bench.db"
        return
    admin_url = make_url(POSTGRES_URL)
    name = f"logistics_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url.set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def timed(repeat: int, query: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    """p50 and p99 of ``query`` in milliseconds."""
    samples = []
    for n in range(repeat):
        started = time.perf_counter()
        await query(n)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


async def bench_store(kind: str, shop: Shop, queries: int) -> tuple[RebuildReport, dict[str, Any]]:
    async with database(kind) as url:
        engine = create_engine(url)
        try:
            await migrations.upgrade(engine)
            for start in range(0, len(shop.events), 5000):
                async with engine.begin() as connection:
                    await outbox.append(connection, shop.events[start : start + 5000])
            store = SqlTrackingStore(engine)
            report = await rebuild_tracking(store, OutboxEventLog(engine))
            return report, await bench_queries(store, shop, queries)
        finally:
            await engine.dispose()


async def bench_queries(store: SqlTrackingStore, shop: Shop, repeat: int) -> dict[str, Any]:
    rng = random.Random(7)
    q = store.queries

    def pick(values: list[str]) -> str:
        return rng.choice(values)

    cases: dict[str, tuple[int, Callable[[int], Awaitable[object]]]] = {
        "find by reservation id": (repeat, lambda _: q.find(pick(shop.reservations))),
        "find by tracking number": (
            repeat,
            lambda _: q.find_by_tracking_number(pick(shop.tracking_numbers)),
        ),
        "list, newest first": (repeat, lambda _: q.search(TrackingSearch())),
        "list status=reserved": (
            repeat,
            lambda _: q.search(TrackingSearch(status=TrackingStatus.RESERVED)),
        ),
        "list stockItemId, -updatedAt": (
            repeat,
            lambda _: q.search(
                TrackingSearch(stock_item_id=pick(shop.items), sort=TrackingSort.UPDATED_AT_DESC)
            ),
        ),
        "list q=<item name>": (
            repeat,
            lambda n: q.search(TrackingSearch(text=f"drone {n % ITEMS}")),
        ),
        "list q=<tracking number prefix>": (
            repeat,
            lambda _: q.search(TrackingSearch(text=pick(shop.tracking_numbers)[:8])),
        ),
        "list page 100 of 100": (
            repeat,
            lambda _: q.search(TrackingSearch(page=100, size=100)),
        ),
        "analytics summary": (max(5, repeat // 10), lambda _: q.summary(SummaryQuery())),
    }
    return {name: await timed(times, query) for name, (times, query) in cases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    shop = a_shop(args.views)
    results = {}
    for kind in args.stores.split(","):
        console.print(f"[bold]{kind}[/bold]: {len(shop.events):,} events, rebuilding…")
        results[kind] = asyncio.run(bench_store(kind, shop, args.queries))
    rebuilds = Table(title=f"rebuild from the event log ({args.views:,} tracking views)")
    for column in ("store", "events", "views", "seconds", "events/s"):
        rebuilds.add_column(column, justify="right")
    for kind, (report, _) in results.items():
        rebuilds.add_row(
            kind,
            f"{report.events:,}",
            f"{report.views:,}",
            f"{report.seconds:.1f}",
            f"{report.events_per_second:,.0f}",
        )
    console.print(rebuilds)
    latencies = Table(title=f"query latency, ms (p50 / p99, {args.queries} runs each)")
    latencies.add_column("query")
    for kind in results:
        latencies.add_column(kind, justify="right")
    for name in next(iter(results.values()))[1]:
        latencies.add_row(
            name, *(f"{r[1][name][0]:.2f} / {r[1][name][1]:.2f}" for r in results.values())
        )
    console.print(latencies)


if __name__ == "__main__":
    main()
