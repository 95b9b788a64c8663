"""Embedded-mode benchmark: `logistics serve` on a fresh SQLite file, driven over HTTP.

    .venv/bin/python bench/embedded.py [--concurrency 16] [--seconds 10]

Prints reservations/s with HTTP p50/p99, and the time from a reserve response until the
backoffice API shows the registered package (each reservation polled every 2 ms).
"""

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator

import aiohttp
from rich.console import Console
from rich.table import Table

from bench.production import LOGISTICS, Sample, closed_loop

INVENTORY, BACKOFFICE = 3200, 3201
console = Console()


@contextlib.contextmanager
def serve() -> Iterator[None]:
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory}/bench.db",
            "INVENTORY_PORT": str(INVENTORY),
            "BACKOFFICE_PORT": str(BACKOFFICE),
            "HEALTH_PORT": "3202",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("RABBITMQ_URL", None)
        process = subprocess.Popen([LOGISTICS, "serve"], env=env)
        try:
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


async def until_ready(session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"http://127.0.0.1:{BACKOFFICE}/ready") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise SystemExit("logistics serve did not become ready")


async def seed(session: aiohttp.ClientSession, count: int) -> list[str]:
    items = [str(uuid.uuid4()) for _ in range(count)]
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


async def reserve_then_track(session: aiohttp.ClientSession, item: str) -> float:
    reservation = f"e2e-{uuid.uuid4().hex}"
    assert await reserve(session, item, reservation) == 200
    answered = time.perf_counter()
    while True:
        async with session.get(f"http://127.0.0.1:{BACKOFFICE}/tracking/{reservation}") as r:
            if r.status == 200 and (await r.json())["status"] == "registered":
                return time.perf_counter() - answered
        await asyncio.sleep(0.002)


async def main(concurrency: int, seconds: float) -> None:
    with serve():
        connector = aiohttp.TCPConnector(limit=concurrency + 10)
        async with aiohttp.ClientSession(connector=connector) as session:
            await until_ready(session)
            items = await seed(session, 100)
            throughput = await closed_loop(
                concurrency,
                seconds,
                lambda n: reserve(session, items[n % len(items)], f"bench-{uuid.uuid4().hex}"),
            )
            await asyncio.sleep(2)
            e2e = Sample(seconds=seconds)
            for n in range(200):
                e2e.latencies.append(await reserve_then_track(session, items[n % len(items)]))
    table = Table(title=f"Embedded mode (SQLite, one process), concurrency {concurrency}")
    for column in ("measure", "rate/s", "p50 ms", "p99 ms", "5xx"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row(
        "HTTP reserve",
        f"{throughput.rate:,.0f}",
        f"{throughput.percentile(0.5):.1f}",
        f"{throughput.percentile(0.99):.1f}",
        str(throughput.server_errors),
    )
    table.add_row(
        "reserve -> tracking shows the package (one at a time)",
        "",
        f"{e2e.percentile(0.5):.1f}",
        f"{e2e.percentile(0.99):.1f}",
        "",
    )
    console.print(table)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.concurrency, arguments.seconds))
