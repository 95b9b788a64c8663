"""Embedded-mode benchmark: `logistics serve` on a fresh SQLite file, driven over HTTP.

    .venv/bin/python -m bench.embedded [--concurrency 32 | --rate 1000] [--seconds 10]
        [--singles 200] [--variant LABEL=SRC_DIR ...] [--rounds 1]

Measures, in one run so the figures compare like with like:

1. the physical limit: the reservation transaction (update the item with a version check,
   insert the reservation, insert the outbox row) issued with the stdlib ``sqlite3``;
2. reservations over HTTP in a closed loop (the most the APIs take), or with ``--rate``
   started at that rate whatever the answers' pace (can the platform sustain it?), their
   rate as a share of 1., and the server's CPU time per reservation (the steadiest figure
   on a shared machine);
3. whether the subscribers kept up: how fast the backlog (reservations whose tracking
   view does not say "registered" yet) grew under load, sampled every half second, the
   backlog when the load stops and how long until it is gone;
4. one reservation at a time: from sending the reserve request until
   ``GET /tracking/{reservationId}`` on the backoffice says "registered" (the file is
   polled every 0.5 ms, then one GET confirms it), p50/p99 and CPU per reservation.

The server runs this checkout's code, or with ``--variant`` each given source tree
(``git worktree`` or ``git archive`` a commit's ``src``) in turn, ``--rounds`` times.
"""

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from rich.console import Console
from rich.table import Table

from bench.cpu import process_seconds
from bench.production import Sample, closed_loop, open_loop

INVENTORY, BACKOFFICE, HEALTH = 3200, 3201, 3202
ITEMS = 100
ROOT = Path(__file__).resolve().parents[1]
SERVE = "from logistics_platform.entrypoints.launcher import main; main()"
REGISTERED = "SELECT count(*) FROM backoffice_tracking_views WHERE status = 'registered'"
console = Console(width=150)


# --- 1. the physical limit ------------------------------------------------------------

RAW_SCHEMA = """
CREATE TABLE items (id TEXT PRIMARY KEY, available INTEGER, reserved INTEGER, version INTEGER);
CREATE TABLE reservations (id TEXT PRIMARY KEY, item TEXT REFERENCES items, quantity INTEGER);
CREATE TABLE outbox (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, name TEXT,
                     aggregate_id TEXT, occurred_on TEXT, envelope TEXT);
CREATE INDEX outbox_name_position ON outbox (name, position);
"""


def envelope(item: str, reservation: str) -> str:
    """An outbox envelope of the platform's shape (about 400 bytes)."""
    data: dict[str, object] = {"id": str(uuid.uuid4()), "type": "inventory.stock_item.reserved"}
    data |= {"occurredOn": "2026-12-02T10:00:00.000000Z", "aggregateId": item}
    data["attributes"] = {"id": item, "quantity": 1, "reservationId": reservation}
    meta = {"correlationId": str(uuid.uuid4()), "causationId": str(uuid.uuid4())}
    return json.dumps({"data": data, "meta": meta}, separators=(",", ":"))


def raw_connection(path: Path) -> tuple[sqlite3.Connection, list[str]]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(RAW_SCHEMA)
    items = [str(uuid.uuid4()) for _ in range(ITEMS)]
    connection.executemany("INSERT INTO items VALUES (?, 1000000000, 0, 0)", [(i,) for i in items])
    return connection, items


def raw_reservation(connection: sqlite3.Connection, item: str, version: int) -> None:
    reservation = uuid.uuid4().hex
    connection.execute("BEGIN IMMEDIATE")
    changed = connection.execute(
        "UPDATE items SET available = available - 1, reserved = reserved + 1,"
        " version = version + 1 WHERE id = ? AND version = ?",
        (item, version),
    ).rowcount
    assert changed == 1
    connection.execute("INSERT INTO reservations VALUES (?, ?, 1)", (reservation, item))
    connection.execute(
        "INSERT INTO outbox (event_id, name, aggregate_id, occurred_on, envelope)"
        " VALUES (?, 'inventory.stock_item.reserved', ?, '2026-12-02', ?)",
        (str(uuid.uuid4()), item, envelope(item, reservation)),
    )
    connection.execute("COMMIT")


def raw_rate(seconds: float) -> float:
    """Reservation transactions per second with sqlite3, one thread, WAL."""
    with tempfile.TemporaryDirectory() as directory:
        connection, items = raw_connection(Path(directory) / "raw.db")
        versions = dict.fromkeys(items, 0)
        done, stop = 0, time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < stop:
            item = items[done % ITEMS]
            raw_reservation(connection, item, versions[item])
            versions[item] += 1
            done += 1
        connection.close()
        return done / (time.perf_counter() - began)


# --- 2.-4. the server -----------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """The server's code: a label and the source tree on its PYTHONPATH."""

    label: str
    source: Path

    @classmethod
    def parse(cls, text: str) -> "Variant":
        """``LABEL=SRC_DIR``"""
        label, _, source = text.partition("=")
        return cls(label, Path(source).resolve())


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    database: Path
    reader: sqlite3.Connection | None = None

    def cpu_seconds(self) -> float:
        """The server's CPU time, its child processes' included."""
        return sum(map(process_seconds, _process_tree(self.process.pid)))

    def registered(self) -> int:
        """Tracking views that say "registered"."""
        return self._count(REGISTERED)

    def reservations(self) -> int:
        return self._count("SELECT count(*) FROM inventory_reservations")

    def _count(self, query: str) -> int:
        """Read from the file (read-only, each query seeing the last commit)."""
        if self.reader is None:
            self.reader = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        return int(self.reader.execute(query).fetchone()[0])


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants still running."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # it has ended
        return []
    return [pid, *(p for child in children for p in _process_tree(int(child)))]


def server_env(variant: Variant, database: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": f"{variant.source}:{ROOT}"}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "LOG_LEVEL": "WARNING"}
    env["RATE_LIMIT"] = "none"  # one client at thousands of calls per second, on purpose
    env |= {"INVENTORY_PORT": str(INVENTORY), "BACKOFFICE_PORT": str(BACKOFFICE)}
    env["HEALTH_PORT"] = str(HEALTH)
    env.pop("RABBITMQ_URL", None)
    return env


@contextlib.contextmanager
def serve(variant: Variant) -> Iterator[Server]:
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "bench.db"
        command = [sys.executable, "-c", SERVE, "serve"]
        process = subprocess.Popen(command, env=server_env(variant, database), cwd=ROOT)
        server = Server(process, database)
        try:
            yield server
        finally:
            if server.reader is not None:
                server.reader.close()
            process.terminate()
            process.wait(timeout=30)


async def until_ready(session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"http://127.0.0.1:{BACKOFFICE}/ready") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise SystemExit("logistics serve did not become ready")


async def seed(session: aiohttp.ClientSession) -> list[str]:
    items = [str(uuid.uuid4()) for _ in range(ITEMS)]
    for item in items:
        body = {"id": item, "name": f"bench {item[:8]}", "quantity": 10**9}
        async with session.post(f"http://127.0.0.1:{INVENTORY}/stock-items", json=body) as r:
            assert r.status == 201, await r.text()
    return items


async def reserve(session: aiohttp.ClientSession, item: str, reservation: str) -> int:
    body = {"quantity": 1, "reservationId": reservation}
    url = f"http://127.0.0.1:{INVENTORY}/stock-items/{item}/reserve"
    async with session.put(url, json=body) as response:
        await response.read()
        return response.status


def reservations(
    session: aiohttp.ClientSession, items: list[str], prefix: str
) -> Callable[[int], Awaitable[int]]:
    """The closed loop's n-th request: a new reservation on the items in turn."""

    async def attempt(n: int) -> int:
        return await reserve(session, items[n % ITEMS], f"{prefix}{uuid.uuid4().hex}")

    return attempt


async def backlog_while(server: Server, load: "asyncio.Task[Sample]") -> list[tuple[float, int]]:
    """The backlog (reservations not yet registered) every half second while ``load`` runs,
    with the seconds since it began."""
    began, samples = time.perf_counter(), []
    while not load.done():
        await asyncio.sleep(0.5)
        samples.append((time.perf_counter() - began, server.reservations() - server.registered()))
    return samples


def growth(samples: list[tuple[float, int]]) -> float:
    """How fast the backlog grew under load (events per second, least squares), from its
    second sample on: the first catches the subscribers still at work on the warm-up."""
    kept = samples[1:]
    if len(kept) < 2:
        return 0.0
    slope, _ = statistics.linear_regression([t for t, _ in kept], [b for _, b in kept])
    return slope


async def drain(server: Server, expected: int, limit: float = 120.0) -> tuple[int, float]:
    """The backlog when the load stopped (reservations not yet registered), and the
    seconds until it was gone."""
    began = time.perf_counter()
    backlog = expected - server.registered()
    while server.registered() < expected:
        if time.perf_counter() - began > limit:
            return backlog, float("inf")
        await asyncio.sleep(0.005)
    return backlog, time.perf_counter() - began


async def shows_registered(session: aiohttp.ClientSession, reservation: str) -> bool:
    async with session.get(f"http://127.0.0.1:{BACKOFFICE}/tracking/{reservation}") as r:
        return r.status == 200 and (await r.json())["status"] == "registered"


async def one_at_a_time(session: aiohttp.ClientSession, server: Server, item: str) -> float:
    """From sending a reservation until the backoffice API shows it registered."""
    reservation = f"e2e-{uuid.uuid4().hex}"
    before = server.registered()
    sent = time.perf_counter()
    assert await reserve(session, item, reservation) == 200
    while True:
        wait_for_a_registration(server, before)
        if await shows_registered(session, reservation):
            return time.perf_counter() - sent


def wait_for_a_registration(server: Server, before: int) -> None:
    """Poll the file every 0.5 ms (blocking: this process has nothing else to do)."""
    while server.registered() == before:
        time.sleep(0.0005)


# --- the run --------------------------------------------------------------------------


@dataclass
class Outcome:
    variant: Variant
    throughput: Sample
    cpu_per_reservation: float  # ms of the server's CPU, load and drain
    growth: float  # of the backlog under load, events per second
    backlog: int
    drained: float
    e2e: Sample
    cpu_per_single: float  # ms of the server's CPU per one-at-a-time reservation


@dataclass(frozen=True)
class Arguments:
    concurrency: int
    rate: float | None  # an open loop at this rate rather than a closed one
    seconds: float
    singles: int
    variants: list[Variant]
    rounds: int


async def measure(variant: Variant, args: Arguments) -> Outcome:
    with serve(variant) as server:
        connector = aiohttp.TCPConnector(limit=args.concurrency + 10)
        async with aiohttp.ClientSession(connector=connector) as session:
            await until_ready(session)
            items = await seed(session)
            await closed_loop(args.concurrency, 1.0, reservations(session, items, "warm-"))
            await drain(server, server.reservations())
            cpu = server.cpu_seconds()
            attempt = reservations(session, items, "bench-")
            if args.rate is None:
                loop = closed_loop(args.concurrency, args.seconds, attempt)
            else:
                loop = open_loop(args.rate, args.seconds, attempt)
            load = asyncio.create_task(loop)
            under_load = await backlog_while(server, load)
            throughput = await load
            backlog, drained = await drain(server, server.reservations())
            cpu, single = server.cpu_seconds() - cpu, server.cpu_seconds()
            e2e = Sample(seconds=1.0)
            for n in range(args.singles):
                e2e.latencies.append(await one_at_a_time(session, server, items[n % ITEMS]))
            single = server.cpu_seconds() - single
    per = cpu / max(1, len(throughput.latencies)) * 1000
    per_single = single / args.singles * 1000
    return Outcome(variant, throughput, per, growth(under_load), backlog, drained, e2e, per_single)


def report(raw: float, outcomes: list[Outcome], args: Arguments) -> None:
    load = f"concurrency {args.concurrency}" if args.rate is None else f"at {args.rate:,.0f}/s"
    title = f"Embedded mode (logistics serve on SQLite), {load}"
    table = Table(title=title)
    columns = ["variant", "res/s", "of raw", "p50 ms", "p99 ms", "5xx", "CPU ms/res"]
    columns += ["growth/s", "backlog", "drain s", "kept up", "e2e p50", "e2e p99", "e2e CPU ms"]
    for column in columns:
        table.add_column(column, justify="left" if column == "variant" else "right")
    table.add_row("raw sqlite3 transaction", f"{raw:,.0f}", "100%", *[""] * 11)
    for outcome in outcomes:
        table.add_row(*row(outcome, raw))
    console.print(table)
    console.print("e2e: reserve sent -> GET /tracking/{id} says registered, one at a time, ms")
    console.print("CPU: the server's processes', per reservation, from the load until drained")
    console.print("growth/s: of the backlog (reservations not registered yet) under load")


def kept_up(outcome: Outcome) -> bool:
    """The subscribers kept up: the backlog did not grow under load by more than 2 % of
    the rate, and it was gone within a second of the load's end."""
    return outcome.growth < 0.02 * outcome.throughput.rate and outcome.drained < 1.0


def row(outcome: Outcome, raw: float) -> list[str]:
    load, e2e = outcome.throughput, outcome.e2e
    return [
        outcome.variant.label,
        f"{load.rate:,.0f}",
        f"{load.rate / raw:.0%}",
        f"{load.percentile(0.5):.1f}",
        f"{load.percentile(0.99):.1f}",
        str(load.server_errors),
        f"{outcome.cpu_per_reservation:.2f}",
        f"{outcome.growth:+.0f}",
        str(outcome.backlog),
        f"{outcome.drained:.2f}",
        "yes" if kept_up(outcome) else "no",
        f"{e2e.percentile(0.5):.1f}",
        f"{e2e.percentile(0.99):.1f}",
        f"{outcome.cpu_per_single:.1f}",
    ]


async def main(args: Arguments) -> None:
    raw = raw_rate(3.0)
    # Variants alternate, so that each sees the shared machine about as loaded as the others.
    outcomes = [await measure(v, args) for _ in range(args.rounds) for v in args.variants]
    report(raw, outcomes, args)


def arguments() -> Arguments:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, help="reservations/s, started on schedule")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--singles", type=int, default=200, help="one-at-a-time reservations")
    parser.add_argument("--variant", action="append", type=Variant.parse, default=[])
    parser.add_argument("--rounds", type=int, default=1, help="times each variant is run")
    parsed = parser.parse_args()
    variants = parsed.variant or [Variant("this checkout", ROOT / "src")]
    return Arguments(
        parsed.concurrency, parsed.rate, parsed.seconds, parsed.singles, variants, parsed.rounds
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main(arguments()))
