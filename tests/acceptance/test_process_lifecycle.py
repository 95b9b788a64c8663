"""`logistics serve` as a real process: it starts, serves the flow (with its tracking views in
the database or in the search server: Elasticsearch or its stand-in), delivers the events
in a second process (its metrics on the APIs' page), and stops cleanly, both processes."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.search_server import SearchServer
from tests.served import Served, serve
from tests.waiting import PROCESS_START, wait_until

ITEM = "550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture
def read_store() -> str:
    return "sql"


@pytest.fixture
def served(tmp_path: Path, read_store: str, request: pytest.FixtureRequest) -> Iterator[Served]:
    """`logistics serve`, embedded, its tracking views in ``read_store``."""
    environment = {"READ_STORE": read_store}
    search: SearchServer | None = None
    if read_store == "elasticsearch":
        search = request.getfixturevalue("search_server")
        environment["ELASTICSEARCH_URL"] = search.url
        environment["ELASTICSEARCH_INDEX"] = f"test_{uuid.uuid4().hex[:12]}_tracking_views"
    try:
        with serve(tmp_path, **environment) as running:
            yield running
    finally:
        if search is not None:
            delete_indices_behind(search.url, environment["ELASTICSEARCH_INDEX"])


def delete_indices_behind(url: str, alias: str) -> None:
    for index in httpx.get(f"{url}/_alias/{alias}", timeout=30).json():
        httpx.delete(f"{url}/{index}", timeout=30).raise_for_status()


@pytest.mark.parametrize("read_store", ["sql", "elasticsearch"])
def test_serve_runs_the_guide_flow_and_shows_the_tracking_view(
    served: Served, read_store: str
) -> None:
    ports = served.ports
    inventory = f"http://127.0.0.1:{ports['inventory']}"
    item = {"id": ITEM, "name": "iPhone 15 Pro", "quantity": 100}
    with httpx.Client(timeout=30) as client:
        assert client.post(f"{inventory}/stock-items", json=item).status_code == 201
        reservation = {"quantity": 10, "reservationId": "order-final-test"}
        reserved = client.put(f"{inventory}/stock-items/{ITEM}/reserve", json=reservation)
        assert reserved.status_code == 200

        def complete() -> dict[str, object] | None:
            view = client.get(f"http://127.0.0.1:{ports['backoffice']}/tracking/order-final-test")
            body: dict[str, object] = view.json() if view.status_code == 200 else {}
            ready = body.get("status") == "registered" and body.get("reservedQuantity")
            return body if ready and body.get("stockItemName") else None

        view = wait_until(complete, what="the registered tracking view", details=served.output)
        health = client.get(f"http://127.0.0.1:{ports['health']}/health").json()
    assert view["status"] == "registered"
    assert view["stockItemName"] == "iPhone 15 Pro"
    # The views were where asked: a search server is a service of its own.
    assert ("elasticsearch" in health["services"]) == (read_store == "elasticsearch")


def test_sigterm_finishes_requests_in_flight_and_exits_cleanly(served: Served) -> None:
    process = served.process
    inventory = f"http://127.0.0.1:{served.ports['inventory']}"
    item = {"id": ITEM, "name": "x", "quantity": 10**6}
    assert httpx.post(f"{inventory}/stock-items", json=item, timeout=30).status_code == 201

    async def reserve_during_shutdown() -> list[int]:
        # A slow answer on a busy machine is an answer: a timeout would miscount it.
        async with httpx.AsyncClient(base_url=inventory, timeout=120) as client:

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
            # Once the server is answering them, so that the others are in flight.
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            process.send_signal(signal.SIGTERM)
            return await asyncio.gather(*tasks)

    statuses = asyncio.run(reserve_during_shutdown())
    try:
        code = process.wait(timeout=PROCESS_START)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no exit after SIGTERM\n{served.output()}") from None
    assert code == 0, served.output()
    assert set(statuses) <= {0, 200}, "a request was cut off or failed during shutdown"
    assert 200 in statuses, "SIGTERM was sent once the server answered a reservation"
    assert '"message": "stopped"' in served.output()
    with sqlite3.connect(served.database) as connection:
        (reserved,) = connection.execute("SELECT reserved FROM inventory_stock_items").fetchone()
    assert reserved == statuses.count(200), "every answered reservation, and only those, is stored"


def children(process: subprocess.Popen[bytes]) -> list[int]:
    """The process ids of ``process``'s children (Linux)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended


def the_delivery_process(served: Served) -> int:
    (pid,) = wait_until(lambda: children(served.process), what="the delivery process")
    command = Path(f"/proc/{pid}/cmdline").read_text()
    assert "logistics_platform.entrypoints.delivery_process" in command
    return pid


def test_serve_delivers_the_events_in_a_second_process_that_stops_with_it(
    served: Served,
) -> None:
    delivery = the_delivery_process(served)

    served.process.send_signal(signal.SIGTERM)

    assert served.process.wait(timeout=PROCESS_START) == 0, served.output()
    assert not running(delivery), "the delivery process outlived serve"
    assert "did not stop" not in served.output()  # it stopped when asked, not killed


def test_serve_stops_when_its_delivery_process_ends(served: Served) -> None:
    delivery = the_delivery_process(served)

    os.kill(delivery, signal.SIGKILL)

    try:
        code = served.process.wait(timeout=PROCESS_START)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"serve went on without its delivery\n{served.output()}") from None
    assert code == 1
    assert "the event delivery process ended" in served.output()


def test_with_delivery_process_false_serve_delivers_in_its_own_process(tmp_path: Path) -> None:
    with serve(tmp_path, DELIVERY_PROCESS="false") as served:
        inventory = f"http://127.0.0.1:{served.ports['inventory']}"
        item = {"id": ITEM, "name": "iPhone 15 Pro", "quantity": 100}
        with httpx.Client(timeout=30) as client:
            assert client.post(f"{inventory}/stock-items", json=item).status_code == 201
            reservation = {"quantity": 1, "reservationId": "order-one-process"}
            reserve = f"{inventory}/stock-items/{ITEM}/reserve"
            assert client.put(reserve, json=reservation).status_code == 200
            tracking = f"{served.url('backoffice')}/tracking/order-one-process"
            wait_until(
                lambda: client.get(tracking).json().get("status") == "registered",
                what="the registered tracking view",
                details=served.output,
            )
        assert children(served.process) == []


def test_serve_shows_both_processes_metrics_on_one_page(served: Served) -> None:
    inventory = served.url("inventory")
    item = {"id": ITEM, "name": "iPhone 15 Pro", "quantity": 100}
    reservation = {"quantity": 1, "reservationId": "order-counted"}
    tracking = f"{served.url('backoffice')}/tracking/order-counted"
    with httpx.Client(timeout=30) as client:
        assert client.post(f"{inventory}/stock-items", json=item).status_code == 201
        assert client.put(f"{inventory}/stock-items/{ITEM}/reserve", json=reservation).is_success
        wait_until(
            lambda: client.get(tracking).json().get("status") == "registered",
            what="the registered tracking view",
            details=served.output,
        )
        page = client.get(f"{served.url('backoffice')}/metrics").text

    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }
    reserved, registered = "inventory.stock_item.reserved", "logistics.package.registered"
    # Recorded by the APIs' process, then by the delivery process: one count each.
    assert samples[("logistics_events_recorded_total", frozenset({("event", reserved)}))] == 1
    assert samples[("logistics_events_recorded_total", frozenset({("event", registered)}))] == 1
    handled = frozenset({("event", registered), ("subscriber", "backoffice.tracking")})
    assert samples[("logistics_events_consumed_total", handled)] == 1
    route = {"api": "inventory-api", "method": "PUT", "route": "/stock-items/{id}/reserve"}
    served_once = frozenset({**route, "status": "200"}.items())
    assert samples[("logistics_http_request_duration_seconds_count", served_once)] == 1
