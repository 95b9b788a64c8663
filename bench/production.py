"""Production-mode benchmark: PostgreSQL + RabbitMQ, one process per role, driven over HTTP.

    .venv/bin/python bench/production.py [--concurrency 32] [--seconds 10]

Starts a throw-away stack on the local servers (a fresh database and RabbitMQ vhost,
deleted afterwards), then measures, in one run so the ratios compare like with like:

1. the physical limit: the reservation transaction (read the version, update the row
   with a version check, insert the outbox row) issued directly with asyncpg;
2. reservations through HTTP on fresh items, at the same concurrency, with the relay and
   both consumers running;
3. the same on items that already carry 1,000 reservations each (no slowdown with history);
4. end-to-end latency at a fixed 200 reservations/s: from the reserve response to the
   backoffice tracking view showing the registered package.
"""

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
LOGISTICS = str(Path(sys.executable).with_name("logistics"))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQ = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
INVENTORY_PORT, BACKOFFICE_PORT = 3100, 3101
HISTORY = 1_000
console = Console()


@dataclass
class Sample:
    """Latencies (seconds) and outcomes of one measured phase."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


# --- the throw-away stack -------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"logistics_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.contextmanager
def fresh_vhost() -> Iterator[str]:
    name = f"logistics_bench_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield RABBITMQ.rstrip("/") + f"/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def stack(database_url: str, rabbitmq_url: str) -> Iterator[None]:
    """Every process role of the production mode, as separate processes."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RABBITMQ_URL": rabbitmq_url,
        "INVENTORY_PORT": str(INVENTORY_PORT),
        "BACKOFFICE_PORT": str(BACKOFFICE_PORT),
        "LOG_LEVEL": "WARNING",
        "AUTO_MIGRATE": "false",
    }
    subprocess.run([LOGISTICS, "db", "upgrade"], env=env, check=True, capture_output=True)
    roles = [
        ["inventory-api"],
        ["backoffice-api"],
        ["relay"],
        ["consumer", "logistics"],
        ["consumer", "backoffice"],
    ]
    processes = [subprocess.Popen([LOGISTICS, *role], env=env) for role in roles]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def wait_until_ready(client: httpx.AsyncClient, *urls: str) -> None:
    deadline = time.monotonic() + 30
    for url in urls:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not become ready")
            await asyncio.sleep(0.1)


# --- load -----------------------------------------------------------------------------


async def closed_loop(
    concurrency: int, seconds: float, attempt: Callable[[int], Awaitable[int]]
) -> Sample:
    """``concurrency`` workers issue requests back to back for ``seconds``."""
    sample = Sample()
    counter = iter(range(sys.maxsize))
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status = await attempt(next(counter))
            sample.latencies.append(time.perf_counter() - started)
            sample.statuses[status] = sample.statuses.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    sample.seconds = time.perf_counter() - began
    return sample


def reserve_over_http(
    client: httpx.AsyncClient, items: list[str]
) -> Callable[[int], Awaitable[int]]:
    async def attempt(n: int) -> int:
        response = await client.put(
            f"/stock-items/{items[n % len(items)]}/reserve",
            json={"quantity": 1, "reservationId": f"bench-{uuid.uuid4().hex}"},
        )
        return response.status_code

    return attempt


def reserve_with_the_driver(pool: asyncpg.Pool, items: list[str]) -> Callable[[int], Awaitable[int]]:
    """The same transaction the platform runs, without the platform."""

    async def attempt(n: int) -> int:
        item = items[n % len(items)]
        while True:
            async with pool.acquire() as connection, connection.transaction():
                version = await connection.fetchval(
                    "SELECT version FROM inventory_stock_items WHERE id = $1", item
                )
                updated = await connection.execute(
                    "UPDATE inventory_stock_items SET available = available - 1,"
                    " reserved = reserved + 1, version = version + 1"
                    " WHERE id = $1 AND version = $2",
                    item,
                    version,
                )
                if updated == "UPDATE 1":
                    await connection.execute(
                        "INSERT INTO outbox (event_id, name, aggregate_id, occurred_on,"
                        " envelope, published_at) VALUES ($1, 'bench.raw', $2, now(), '{}', now())",
                        str(uuid.uuid4()),
                        item,
                    )
                    return 200

    return attempt


async def seed_items(client: httpx.AsyncClient, count: int) -> list[str]:
    items = [str(uuid.uuid4()) for _ in range(count)]
    for item in items:
        response = await client.post(
            "/stock-items", json={"id": item, "name": f"bench {item[:8]}", "quantity": 10**9}
        )
        response.raise_for_status()
    return items


async def seed_history(database_url: str, items: list[str]) -> None:
    """1,000 earlier reservations per item, written directly (and already published)."""
    connection = await asyncpg.connect(database_url)
    try:
        for item in items:
            await connection.copy_records_to_table(
                "inventory_reservations",
                records=[(f"history-{uuid.uuid4().hex}", item, 1) for _ in range(HISTORY)],
                columns=["reservation_id", "stock_item_id", "quantity"],
            )
            await connection.execute(
                "UPDATE inventory_stock_items SET available = available - $2,"
                " reserved = reserved + $2, version = version + $2 WHERE id = $1",
                item,
                HISTORY,
            )
            now = datetime.now(UTC)
            await connection.copy_records_to_table(
                "outbox",
                records=[
                    (str(uuid.uuid4()), "bench.history", item, now, "{}", now)
                    for _ in range(HISTORY)
                ],
                columns=[
                    "event_id", "name", "aggregate_id", "occurred_on", "envelope", "published_at"
                ],
            )
    finally:
        await connection.close()


async def end_to_end(
    client: httpx.AsyncClient, database_url: str, items: list[str], rate: float, seconds: float
) -> Sample:
    """Open loop at ``rate``/s; time from each reserve response until its tracking view
    is stored as registered (a single poller reads the read store every 5 ms)."""
    sample = Sample(seconds=seconds)
    answered: dict[str, float] = {}
    poller = await asyncpg.connect(database_url)

    async def reserve(n: int) -> None:
        reservation = f"e2e-{uuid.uuid4().hex}"
        response = await client.put(
            f"/stock-items/{items[n % len(items)]}/reserve",
            json={"quantity": 1, "reservationId": reservation},
        )
        sample.statuses[response.status_code] = sample.statuses.get(response.status_code, 0) + 1
        answered[reservation] = time.perf_counter()

    async def watch(until: float) -> None:
        while answered or time.perf_counter() < until:
            pending = list(answered)
            if pending:
                rows = await poller.fetch(
                    "SELECT reservation_id FROM backoffice_tracking_views"
                    " WHERE reservation_id = ANY($1) AND status = 'registered'",
                    pending,
                )
                now = time.perf_counter()
                for row in rows:
                    sample.latencies.append(now - answered.pop(row["reservation_id"]))
            if time.perf_counter() > until + 30:
                break
            await asyncio.sleep(0.005)

    started = time.perf_counter()
    watcher = asyncio.create_task(watch(started + seconds))
    requests = []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        requests.append(asyncio.create_task(reserve(n)))
    await asyncio.gather(*requests)
    await watcher
    await poller.close()
    return sample


# --- report ---------------------------------------------------------------------------


def report(raw: Sample, fresh: Sample, history: Sample, e2e: Sample, concurrency: int) -> None:
    table = Table(title=f"Production mode, {os.cpu_count()} cores, concurrency {concurrency}")
    for column in ("measure", "rate/s", "p50 ms", "p99 ms", "5xx", "target", "met"):
        table.add_column(column, justify="right" if column != "measure" else "left")

    def row(name: str, sample: Sample, target: str, met: bool) -> None:
        table.add_row(
            name,
            f"{sample.rate:,.0f}",
            f"{sample.percentile(0.5):.1f}",
            f"{sample.percentile(0.99):.1f}",
            str(sample.server_errors),
            target,
            "yes" if met else "NO",
        )

    row("raw asyncpg reservation tx", raw, "baseline", True)
    row(
        f"HTTP reserve, fresh items ({fresh.rate / raw.rate:.0%} of raw)",
        fresh,
        ">= 50% of raw, 0 5xx",
        fresh.rate >= raw.rate / 2 and fresh.server_errors == 0,
    )
    row(
        f"HTTP reserve, {HISTORY:,} earlier reservations/item ({history.rate / fresh.rate:.0%})",
        history,
        "within 10% of fresh",
        history.rate >= 0.9 * fresh.rate and history.server_errors == 0,
    )
    row(
        f"reserve -> tracking registered at {e2e_rate:.0f}/s (end to end)",
        e2e,
        "p99 < 250 ms",
        e2e.percentile(0.99) < 250 and e2e.server_errors == 0,
    )
    console.print(table)
    console.print(f"end-to-end views seen: {len(e2e.latencies)}; statuses {e2e.statuses}")


e2e_rate = 200.0


async def main(concurrency: int, seconds: float, items: int) -> None:
    async with fresh_database() as database_url:
        with fresh_vhost() as rabbitmq_url, stack(database_url, rabbitmq_url):
            limits = httpx.Limits(max_connections=concurrency + 50)
            async with (
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{INVENTORY_PORT}", limits=limits, timeout=30
                ) as client,
                httpx.AsyncClient(timeout=5) as probe,
            ):
                await wait_until_ready(
                    probe,
                    f"http://127.0.0.1:{INVENTORY_PORT}/ready",
                    f"http://127.0.0.1:{BACKOFFICE_PORT}/ready",
                )
                fresh_items = await seed_items(client, items)
                history_items = await seed_items(client, items)
                raw_items = await seed_items(client, items)
                await seed_history(database_url, history_items)
                console.print("seeded; measuring the raw driver…")
                pool = await asyncpg.create_pool(
                    database_url, min_size=concurrency, max_size=concurrency
                )
                raw = await closed_loop(concurrency, seconds, reserve_with_the_driver(pool, raw_items))
                await pool.close()
                console.print("HTTP on fresh items…")
                fresh = await closed_loop(concurrency, seconds, reserve_over_http(client, fresh_items))
                await asyncio.sleep(3)  # let the pipeline drain before the next phase
                console.print("HTTP on items with history…")
                history = await closed_loop(
                    concurrency, seconds, reserve_over_http(client, history_items)
                )
                await asyncio.sleep(3)
                console.print(f"end to end at {e2e_rate:.0f}/s…")
                e2e = await end_to_end(client, database_url, fresh_items, e2e_rate, seconds)
    report(raw, fresh, history, e2e, concurrency)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--items", type=int, default=100, help="stock items per phase")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.concurrency, arguments.seconds, arguments.items))
