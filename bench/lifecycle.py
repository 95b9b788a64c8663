"""Lifecycle benchmark, production mode: package commands on the Logistics API.

    .venv/bin/python -m bench.lifecycle [--concurrency 32] [--seconds 10]
        [--backoffice-consumers 2]

Starts a throw-away stack on the local servers as ``bench.production`` does (a fresh
database and RabbitMQ vhost, one process per role: an Inventory API, two Logistics API
replicas, the Backoffice API, the relay and the three consumers, the backoffice one in
two replicas: it takes four of the five deliveries a first dispatch causes, and on its
own it gets a fair share of the two cores, not the share its work needs), seeds
reservations and waits for their packages, then measures in one run:

1. the physical limit: a dispatch (or a checkpoint) issued with asyncpg: read the package
   row, update it with a version check (status, attempts, carrier, location and the
   history JSON with one entry appended), insert the outbox row;
2. the same commands through HTTP (``POST /packages/{id}/dispatch``, then
   ``/checkpoints``) at the same concurrency, with the relay and consumers paused
   (SIGSTOP) so the write path is compared with the write path; its rate over 1.;
3. end-to-end latency at fixed rates (200/s, then 100/s): from a dispatch's answer to the
   backoffice tracking view showing ``in_transit`` at the version that answer carried,
   with the CPU each role used and where the time went (:func:`hops`).

Both closed loops follow one schedule (:func:`schedule`): each package of their pool is
dispatched, then checkpointed three times, so their histories grow alike whatever their
rates (a longer history is a dearer row to read and write). They run in turns, a quarter
of ``--seconds`` each, so both see the shared machine at the same speed.
"""

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import os
import random
import string
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
import asyncpg
from rich.console import Console
from rich.table import Table

from bench.cpu import cpu_check, snapshot, used_between
from bench.production import (
    BACKOFFICE_PORT,
    LOGISTICS,
    Sample,
    Stack,
    autovacuum_is_on,
    closed_loop,
    cpu_table,
    fresh_database,
    fresh_vhost,
    in_turns,
    maintain,
    measure_row,
    measures_table,
    queues_drained,
    reserve,
    role_env,
    seed_items,
    wait_until_ready,
)
from logistics_platform.entrypoints.runner import run_process
from logistics_platform.logistics.domain.values import HistoryEntry, PackageStatus
from logistics_platform.logistics.infrastructure.tables import history_to_json

INVENTORY_PORT = 3100
LOGISTICS_PORTS = (3103, 3113)  # two replicas, one per core, for the closed loop
E2E_PORTS = LOGISTICS_PORTS[:1]  # one for the open loops, as bench.production does
COMMANDS_PER_PACKAGE = 4  # a dispatch, then three checkpoints
WINDOW = 256  # packages in play at once: far more than the concurrency, so no two race
RATES = (200.0, 100.0)
POLL_INTERVAL = 0.01  # s; added to some latencies (an upper bound)
ITEMS = 20
console = Console(width=150)


# --- the throw-away stack -------------------------------------------------------------


@contextlib.contextmanager
def lifecycle_stack(
    database_url: str, rabbitmq_url: str, backoffice_consumers: int
) -> Iterator[Stack]:
    env = role_env(database_url, rabbitmq_url)
    apis = [subprocess.Popen([LOGISTICS, "inventory-api", "--port", str(INVENTORY_PORT)], env=env)]
    apis += [
        subprocess.Popen([LOGISTICS, "logistics-api", "--port", str(port)], env=env)
        for port in LOGISTICS_PORTS
    ]
    apis.append(subprocess.Popen([LOGISTICS, "backoffice-api"], env=env))
    roles = [
        ["relay"],
        *(["consumer", context] for context in ("inventory", "logistics")),
        *(["consumer", "backoffice"] for _ in range(backoffice_consumers)),
    ]
    pipeline = [subprocess.Popen([LOGISTICS, *role], env=env) for role in roles]
    running = Stack(
        apis=apis,
        pipeline=pipeline,
        roles={
            "Inventory API": [apis[0].pid],
            "Logistics API": [process.pid for process in apis[1:3]],
            "Backoffice API": [apis[3].pid],
            **_by_role(roles, pipeline),
        },
    )
    try:
        yield running
    finally:
        running.resume_pipeline()
        for process in [*apis, *pipeline]:
            process.terminate()
        for process in [*apis, *pipeline]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # seen once with a consumer still starting
                process.kill()
                process.wait()


def _by_role(
    roles: list[list[str]], processes: list[subprocess.Popen[bytes]]
) -> dict[str, list[int]]:
    """The pids of each role (a role's replicas together)."""
    pids: dict[str, list[int]] = {}
    for role, process in zip(roles, processes, strict=True):
        pids.setdefault(" ".join(role), []).append(process.pid)
    return pids


# --- seeding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    id: str
    reservation: str


async def seed_packages(
    session: aiohttp.ClientSession, items: list[str], count: int, prefix: str, concurrency: int
) -> list[Package]:
    """``count`` reservations through the Inventory API, then their packages as the
    Logistics API lists them (``GET /packages?reservationId=``) once the pipeline made them."""
    reservations = [f"{prefix}{uuid.uuid4().hex}" for _ in range(count)]
    replicas = (INVENTORY_PORT,)

    async def reserve_one(n: int) -> int:
        return await reserve(session, n, items[n % len(items)], reservations[n], replicas)

    sample = await closed_loop(concurrency, 3600, reserve_one, limit=count)
    assert set(sample.statuses) == {200}, f"reservations answered {sample.statuses}"

    async def package_of(n: int) -> int:
        url = f"http://127.0.0.1:{LOGISTICS_PORTS[n % 2]}/packages"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            async with session.get(url, params={"reservationId": reservations[n]}) as response:
                found = (await response.json())["items"]
            if found:
                packages[n] = Package(found[0]["id"], reservations[n])
                return 200
            await asyncio.sleep(0.5)
        raise SystemExit(f"no package for reservation {reservations[n]} after 180 s")

    packages: list[Package | None] = [None] * count
    await closed_loop(concurrency, 3600, package_of, limit=count)
    return [package for package in packages if package is not None]


async def seed_raw_packages(database_url: str, count: int) -> list[str]:
    """Registered packages written straight into the table (the raw loop's own, whose
    events nobody publishes), rows like the platform's."""
    now = datetime.now(UTC)
    history = history_to_json([HistoryEntry(PackageStatus.REGISTERED, now)])
    alphabet = string.ascii_uppercase + string.digits
    ids = [str(uuid.uuid4()) for _ in range(count)]
    records = [
        (
            id,
            "".join(random.choices(alphabet, k=10)),
            f"raw-{id}",
            "registered",
            1,
            now,
            now,
            0,
            history,
        )
        for id in ids
    ]
    connection = await asyncpg.connect(database_url)
    try:
        await connection.copy_records_to_table(
            "logistics_packages",
            records=records,
            columns=[
                "id",
                "tracking_number",
                "reservation_id",
                "status",
                "version",
                "registered_at",
                "updated_at",
                "attempts",
                "history",
            ],
        )
    finally:
        await connection.close()
    return ids


# --- the commands ---------------------------------------------------------------------


def schedule(n: int, pool: int) -> tuple[int, bool]:
    """The package (an index into a pool of ``pool``) of the ``n``-th command, and whether
    it is the package's dispatch. WINDOW packages at a time get their COMMANDS_PER_PACKAGE
    commands in rounds, so every package ends with the same history whatever the rate
    (past the pool's end, its packages only get more checkpoints)."""
    block, within = divmod(n, COMMANDS_PER_PACKAGE * WINDOW)
    index = block * WINDOW + within % WINDOW
    return index % pool, within < WINDOW and index < pool


def command_with_the_driver(pool: asyncpg.Pool, ids: list[str]) -> Callable[[int], Awaitable[int]]:
    """What a dispatch or a checkpoint writes, without the platform."""

    counter = itertools.count()  # the schedule carries on from one turn to the next

    async def attempt(_: int) -> int:
        id = ids[schedule(next(counter), len(ids))[0]]
        while True:
            async with pool.acquire() as connection, connection.transaction():
                row = await connection.fetchrow(
                    "SELECT id, tracking_number, reservation_id, status, version, registered_at,"
                    " updated_at, carrier, last_location, attempts, history,"
                    " cancellation_refused FROM logistics_packages WHERE id = $1",
                    id,
                )
                assert row is not None, f"raw package {id} is missing"
                now = datetime.now(UTC)
                dispatch = row["status"] == "registered"
                carrier = "DHL" if dispatch else row["carrier"]
                attempts = row["attempts"] + dispatch
                location = "Warehouse MAIN" if dispatch else "hub 7"
                note = f"attempt {attempts} with {carrier}" if dispatch else None
                history = json.loads(row["history"])
                history.append(
                    {
                        "status": "in_transit",
                        "occurredOn": now.isoformat(),
                        "location": location,
                        "note": note,
                    }
                )
                version = row["version"] + 1
                updated = await connection.execute(
                    "UPDATE logistics_packages SET status = 'in_transit', version = $3,"
                    " updated_at = $4, carrier = $5, last_location = $6, attempts = $7,"
                    " history = $8 WHERE id = $1 AND version = $2",
                    id,
                    row["version"],
                    version,
                    now,
                    carrier,
                    location,
                    attempts,
                    json.dumps(history),
                )
                if updated == "UPDATE 1":
                    await connection.execute(
                        "INSERT INTO outbox (event_id, name, aggregate_id, occurred_on,"
                        " envelope, published_at) VALUES ($1, 'bench.raw', $2, $3, $4, now())",
                        str(uuid.uuid4()),
                        id,
                        now,
                        envelope(
                            row,
                            version=version,
                            carrier=carrier,
                            location=location,
                            attempt=attempts,
                            now=now,
                        ),
                    )
                    return 200

    return attempt


def envelope(
    row: asyncpg.Record, *, version: int, carrier: str, location: str, attempt: int, now: datetime
) -> str:
    """An outbox envelope of the platform's shape for a dispatch."""
    attributes = {
        "id": row["id"],
        "reservationId": row["reservation_id"],
        "version": version,
        "carrier": carrier,
        "location": location,
        "attempt": attempt,
    }
    data = {
        "id": str(uuid.uuid4()),
        "type": "logistics.package.dispatched",
        "occurredOn": now.isoformat(),
        "aggregateId": row["id"],
        "attributes": attributes,
    }
    meta = {"correlationId": str(uuid.uuid4()), "causationId": str(uuid.uuid4())}
    return json.dumps({"data": data, "meta": meta}, separators=(",", ":"))


async def dispatch(
    session: aiohttp.ClientSession, port: int, package: str
) -> tuple[int, int | None]:
    """The status and the package's version in the answer."""
    body = {"carrier": "DHL", "location": "Warehouse MAIN"}
    url = f"http://127.0.0.1:{port}/packages/{package}/dispatch"
    async with session.post(url, json=body) as response:
        answer = await response.json(content_type=None)
        return response.status, answer.get("version") if response.status == 200 else None


def command_over_http(
    session: aiohttp.ClientSession, packages: list[Package]
) -> Callable[[int], Awaitable[int]]:
    counter = itertools.count()  # the schedule carries on from one turn to the next

    async def attempt(_: int) -> int:
        n = next(counter)
        index, first = schedule(n, len(packages))
        port, package = LOGISTICS_PORTS[n % len(LOGISTICS_PORTS)], packages[index].id
        if first:
            return (await dispatch(session, port, package))[0]
        url = f"http://127.0.0.1:{port}/packages/{package}/checkpoints"
        async with session.post(url, json={"location": "hub 7"}) as response:
            await response.read()
            return response.status

    return attempt


# --- end to end -----------------------------------------------------------------------

_SEEN = (
    "SELECT reservation_id, status, (SELECT max((entry ->> 'version')::int)"
    " FROM jsonb_array_elements(timeline::jsonb) AS entry) AS version"
    " FROM backoffice_tracking_views WHERE reservation_id = ANY($1) AND status = 'in_transit'"
)  # the timeline is parsed only once a view is in transit: the poller must not load the server


async def end_to_end(
    session: aiohttp.ClientSession,
    database_url: str,
    packages: list[Package],
    rate: float,
    seconds: float,
) -> Sample:
    """Open loop at ``rate``/s, each a registered package's first dispatch; the time from
    its answer until the tracking view says ``in_transit`` at the answer's version (read
    from the store by one poller every POLL_INTERVAL)."""
    sample = Sample(seconds=seconds)
    answered: dict[str, tuple[int, float]] = {}  # reservation -> (version, when)
    poller = await asyncpg.connect(database_url)

    async def dispatch_one(package: Package) -> None:
        status, version = await dispatch(session, E2E_PORTS[0], package.id)
        sample.statuses[status] = sample.statuses.get(status, 0) + 1
        if version is not None:
            answered[package.reservation] = (version, time.perf_counter())

    sent = asyncio.Event()  # every dispatch answered: then only what is left to see

    async def watch(until: float) -> None:
        while (answered or not sent.is_set()) and time.perf_counter() < until + 30:
            if answered:
                rows = await poller.fetch(_SEEN, list(answered))
                now = time.perf_counter()
                for row in rows:
                    version, when = answered[row["reservation_id"]]
                    if (row["version"] or 0) >= version:
                        sample.latencies.append(now - when)
                        del answered[row["reservation_id"]]
            await asyncio.sleep(POLL_INTERVAL)

    started = time.perf_counter()
    watcher = asyncio.create_task(watch(started + seconds))
    requests = []
    for n, package in enumerate(packages[: int(rate * seconds)]):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        requests.append(asyncio.create_task(dispatch_one(package)))
    await asyncio.gather(*requests)
    sent.set()
    await watcher
    await poller.close()
    return sample


_BEHIND = (
    "SELECT count(*) FROM outbox WHERE name LIKE 'logistics.package.%' AND NOT EXISTS"
    " (SELECT 1 FROM processed_events AS handled WHERE handled.event_id = outbox.event_id"
    " AND handled.subscriber = 'backoffice.tracking')"
)


# Each hop: from one moment of a dispatch's event to the next (see ``hops``).
HOPS = {
    "dispatch transaction -> relay confirmed": ("recorded", "published"),
    "-> backoffice tracking transaction": ("published", "tracking"),
    "-> inventory transaction (commit)": ("published", "inventory"),
}
_MOMENTS = """
    SELECT recorded_at AS recorded, published_at AS published,
        (SELECT handled_at FROM processed_events WHERE event_id = outbox.event_id
            AND subscriber = 'backoffice.tracking') AS tracking,
        (SELECT handled_at FROM processed_events WHERE event_id = outbox.event_id
            AND subscriber = 'inventory.commit_reservation_on_package_dispatched') AS inventory
    FROM outbox WHERE name = 'logistics.package.dispatched'
        AND envelope::json -> 'data' -> 'attributes' ->> 'reservationId' LIKE $1
"""


async def hops(database_url: str, prefix: str) -> dict[str, Sample]:
    """Where the end-to-end time of the dispatches of the reservations named ``prefix...``
    went, from the stores' own timestamps: outbox.recorded_at (the recording transaction's
    start) and published_at (the broker's confirm), processed_events.handled_at (the
    handling transaction's start)."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(_MOMENTS, f"{prefix}%")
    finally:
        await connection.close()
    samples = {hop: Sample() for hop in HOPS}
    for row in rows:
        for hop, (start, end) in HOPS.items():
            if row[start] is not None and row[end] is not None:
                samples[hop].latencies.append((row[end] - row[start]).total_seconds())
    return samples


async def caught_up(database_url: str, *, limit: float = 180.0) -> None:
    """Wait until the tracking views have taken every package event recorded so far."""
    connection = await asyncpg.connect(database_url)
    deadline = time.monotonic() + limit
    try:
        behind = await connection.fetchval(_BEHIND)
        while behind and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
            behind = await connection.fetchval(_BEHIND)
    finally:
        await connection.close()


def _whole_windows(count: float) -> int:
    """``count`` rounded up to whole windows: each package then gets its exact schedule."""
    return -(-int(count) // WINDOW) * WINDOW


# --- run and report -------------------------------------------------------------------


@dataclass
class Results:
    raw: Sample
    http: Sample
    open_loops: dict[float, Sample] = field(default_factory=dict)
    hops: dict[float, dict[str, Sample]] = field(default_factory=dict)
    cpu_checks: dict[str, float] = field(default_factory=dict)


async def settled(database_url: str, rabbitmq_url: str, autovacuum: bool) -> None:
    """Every subscriber caught up (an open loop must not pay for an earlier phase's
    backlog), then the statistics as autovacuum would have left them."""
    await caught_up(database_url)
    if left := await queues_drained(rabbitmq_url):
        console.print(f"[red]queues still holding messages: {left}[/red]")
    await maintain(database_url, autovacuum)


async def measure(
    stack: Stack, database_url: str, rabbitmq_url: str, concurrency: int, seconds: float
) -> Results:
    connector = aiohttp.TCPConnector(limit=concurrency + 50)
    async with aiohttp.ClientSession(connector=connector) as session:
        ports = (INVENTORY_PORT, *LOGISTICS_PORTS, BACKOFFICE_PORT)
        # Eight processes start at once on 2 shared cores: give them time.
        urls = (f"http://127.0.0.1:{port}/ready" for port in ports)
        await wait_until_ready(session, *urls, patience=120)
        items = await seed_items(session, ITEMS, (INVENTORY_PORT,))
        http_count = _whole_windows(150 * seconds)
        e2e_counts = {rate: int(rate * seconds) for rate in RATES}
        console.print(
            f"seeding {http_count + sum(e2e_counts.values()):,} reservations and packages…"
        )
        http_packages = await seed_packages(session, items, http_count, "http-", concurrency)
        e2e_packages = {
            rate: await seed_packages(session, items, count, f"e2e-{rate:.0f}-", concurrency)
            for rate, count in e2e_counts.items()
        }
        raw_ids = await seed_raw_packages(database_url, _whole_windows(1000 * seconds))
        autovacuum = await autovacuum_is_on(database_url)
        if not autovacuum:
            console.print("the server runs with autovacuum off: VACUUM (ANALYZE) before each phase")
        await settled(database_url, rabbitmq_url, autovacuum)
        cpu_checks = {"at the start": cpu_check()}
        stack.pause_pipeline()
        console.print("raw driver and HTTP, in turns…")
        pool = await asyncpg.create_pool(database_url, min_size=concurrency, max_size=concurrency)
        raw, http = await in_turns(
            concurrency,
            seconds,
            command_with_the_driver(pool, raw_ids),
            command_over_http(session, http_packages),
        )
        await pool.close()
        stack.resume_pipeline()
        console.print("every subscriber catching up…")
        started = time.perf_counter()
        await settled(database_url, rabbitmq_url, autovacuum)
        console.print(f"caught up in {time.perf_counter() - started:.1f} s")
        cpu_checks["before the open loops"] = cpu_check()
        open_loops, breakdowns = {}, {}
        for rate in RATES:
            console.print(f"end to end at {rate:.0f}/s…")
            before = snapshot(stack.roles)
            open_loops[rate] = sample = await end_to_end(
                session, database_url, e2e_packages[rate], rate, seconds
            )
            sample.cpu = used_between(before, snapshot(stack.roles))
            await settled(database_url, rabbitmq_url, autovacuum)
            breakdowns[rate] = await hops(database_url, f"e2e-{rate:.0f}-")
    return Results(raw, http, open_loops, breakdowns, cpu_checks)


def report(results: Results, concurrency: int) -> None:
    raw, http = results.raw, results.http
    table = measures_table(
        f"Lifecycle, production mode: {os.cpu_count()} cores, concurrency {concurrency}"
    )
    row = functools.partial(measure_row, table)

    row("raw asyncpg: the dispatch / checkpoint transaction", raw, "baseline")
    row(
        f"HTTP dispatch, then checkpoints (2 replicas): {http.rate / raw.rate:.0%} of raw",
        http,
        ">= 50%, no 5xx",
        http.rate >= raw.rate / 2 and http.server_errors == 0 and set(http.statuses) == {200},
    )
    for rate, sample in results.open_loops.items():
        busy = "" if sample.cpu is None else f"; {sample.cpu.describe()}"
        target, met = (
            ("p99 < 250 ms", sample.percentile(0.99) < 250) if rate == RATES[0] else ("", None)
        )
        row(f"dispatch answered -> tracking in_transit, at {rate:.0f}/s{busy}", sample, target, met)
    console.print(table)
    breakdown = Table(title="Where end-to-end time goes (transaction starts), p50 / p99 ms")
    breakdown.add_column("hop")
    for rate in results.hops:
        breakdown.add_column(f"at {rate:.0f}/s", justify="right")
    for hop in HOPS:
        cells = (results.hops[rate][hop] for rate in results.hops)
        breakdown.add_row(
            hop, *(f"{s.percentile(0.5):,.0f} / {s.percentile(0.99):,.0f}" for s in cells)
        )
    console.print(breakdown)
    if (cpu := cpu_table(results.open_loops, per="dispatch")) is not None:
        console.print(cpu)
    console.print(f"closed loops' statuses: raw {raw.statuses}, HTTP {http.statuses}")
    for rate, sample in results.open_loops.items():
        console.print(
            f"at {rate:.0f}/s: {len(sample.latencies)} of {int(rate * sample.seconds)} views seen;"
            f" HTTP statuses {sample.statuses}"
        )
    checks = ", ".join(f"{ms:.0f} ms {when}" for when, ms in results.cpu_checks.items())
    console.print(f"CPU check (a fixed pure-Python task, best of 3; lower is faster): {checks}.")


async def main(concurrency: int, seconds: float, backoffice_consumers: int) -> None:
    async with fresh_database() as database_url:
        with (
            fresh_vhost() as rabbitmq_url,
            lifecycle_stack(database_url, rabbitmq_url, backoffice_consumers) as running,
        ):
            results = await measure(running, database_url, rabbitmq_url, concurrency, seconds)
    report(results, concurrency)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--backoffice-consumers",
        type=int,
        default=2,
        help="replicas of `consumer backoffice`, which takes 4 of a dispatch's 5 deliveries",
    )
    arguments = parser.parse_args()
    run_process(main(arguments.concurrency, arguments.seconds, arguments.backoffice_consumers))
