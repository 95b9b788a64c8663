"""`logistics serve` as a real process: it starts, serves the flow, and stops cleanly."""

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

LOGISTICS = str(Path(sys.executable).with_name("logistics"))
ITEM = "550e8400-e29b-41d4-a716-446655440000"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    database: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    ports = {"inventory": free_port(), "backoffice": free_port(), "health": free_port()}
    database = tmp_path / "serve.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "INVENTORY_PORT": str(ports["inventory"]),
        "BACKOFFICE_PORT": str(ports["backoffice"]),
        "HEALTH_PORT": str(ports["health"]),
        "LOG_FORMAT": "json",
    }
    env.pop("RABBITMQ_URL", None)
    process = subprocess.Popen(
        [LOGISTICS, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until_listening(ports["health"])
        yield Served(process, ports, database)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered on port {port}")


def test_serve_runs_the_guide_flow_and_shows_tracking_within_a_second(served: Served) -> None:
    ports = served.ports
    inventory = f"http://127.0.0.1:{ports['inventory']}"
    item = {"id": ITEM, "name": "iPhone 15 Pro", "quantity": 100}
    assert httpx.post(f"{inventory}/stock-items", json=item).status_code == 201
    reservation = {"quantity": 10, "reservationId": "order-final-test"}
    reserved = httpx.put(f"{inventory}/stock-items/{ITEM}/reserve", json=reservation)
    assert reserved.status_code == 200
    answered = time.monotonic()
    while time.monotonic() - answered < 1.0:
        view = httpx.get(f"http://127.0.0.1:{ports['backoffice']}/tracking/order-final-test")
        body = view.json() if view.status_code == 200 else {}
        if (
            body.get("status") == "registered"
            and body.get("reservedQuantity")
            and body.get("stockItemName")
        ):
            break
        time.sleep(0.01)
    assert view.json()["status"] == "registered"
    assert view.json()["stockItemName"] == "iPhone 15 Pro"


def test_sigterm_finishes_requests_in_flight_and_exits_cleanly(served: Served) -> None:
    process = served.process
    inventory = f"http://127.0.0.1:{served.ports['inventory']}"
    item = {"id": ITEM, "name": "x", "quantity": 10**6}
    assert httpx.post(f"{inventory}/stock-items", json=item).status_code == 201

    async def reserve_during_shutdown() -> list[int]:
        async with httpx.AsyncClient(base_url=inventory, timeout=10) as client:

            async def reserve(n: int) -> int:
                try:
                    response = await client.put(
                        f"/stock-items/{ITEM}/reserve",
                        json={"quantity": 1, "reservationId": f"order-{n}"},
                    )
                except httpx.TransportError:
                    return 0  # refused: the server had stopped taking work
                return response.status_code

            tasks = [asyncio.create_task(reserve(n)) for n in range(200)]
            await asyncio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            return await asyncio.gather(*tasks)

    statuses = asyncio.run(reserve_during_shutdown())
    assert process.wait(timeout=25) == 0
    assert set(statuses) <= {0, 200}, "a request was cut off or failed during shutdown"
    output = process.stdout.read().decode() if process.stdout else ""
    assert '"event": "stopped"' in output
    with sqlite3.connect(served.database) as connection:
        (reserved,) = connection.execute("SELECT reserved FROM inventory_stock_items").fetchone()
    assert reserved == statuses.count(200), "every answered reservation, and only those, is stored"
