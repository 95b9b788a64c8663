"""What an operator sees of the guide's flow (embedded): the access log, one correlation
id from the request to the backoffice's subscriber, and the counts on /metrics."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from logistics_platform.config import Settings
from logistics_platform.entrypoints.logging import configure_logging
from tests.acceptance.conftest import Apis
from tests.acceptance.guide import ITEM, add_iphones

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """The JSON log lines written so far (ours at debug level, libraries' at info)."""
    root, ours = logging.getLogger(), logging.getLogger("logistics_platform")
    handlers, level = root.handlers[:], root.level
    configure_logging(Settings(log_format="json", log_level="DEBUG"), role="serve")
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    handler.setStream(written)
    root.setLevel(logging.INFO)
    ours.setLevel(logging.DEBUG)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in written.getvalue().splitlines()]

    yield lines
    root.handlers[:] = handlers
    root.setLevel(level)
    ours.setLevel(logging.NOTSET)
    structlog.reset_defaults()


def requests_logged(lines: Lines) -> list[dict[str, Any]]:
    return [line for line in lines() if line["logger"] == "logistics_platform.access"]


async def test_each_request_is_logged_once_with_its_route_template_and_correlation_id(
    apis: Apis, log_lines: Lines
) -> None:
    await add_iphones(apis)
    response = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve",
        json={"quantity": 10, "reservationId": "order-logged"},
        headers={"X-Correlation-Id": "req-reserve-1"},
    )
    assert response.headers["x-correlation-id"] == "req-reserve-1"

    added, reserved = requests_logged(log_lines)
    assert (added["method"], added["path"], added["status"]) == ("POST", "/stock-items", 201)
    assert reserved["path"] == "/stock-items/{id}/reserve"
    assert (reserved["method"], reserved["status"]) == ("PUT", 200)
    assert reserved["correlation_id"] == "req-reserve-1"
    assert reserved["duration_ms"] > 0
    assert reserved["client"]
    assert added["correlation_id"] not in (None, "req-reserve-1")  # made up, its own


async def test_refused_requests_are_logged_too_and_a_bad_correlation_id_is_replaced(
    apis: Apis, log_lines: Lines
) -> None:
    missing = await apis.inventory.get(
        f"/stock-items/{ITEM}", headers={"X-Correlation-Id": "x" * 5000}
    )
    invalid = await apis.inventory.post("/stock-items", json={"quantity": -1})
    unknown = await apis.backoffice.get("/no/such/route/" + "a" * 1000)

    assert (missing.status_code, invalid.status_code, unknown.status_code) == (404, 422, 404)
    made_up = missing.headers["x-correlation-id"]
    assert len(made_up) == 36
    logged = requests_logged(log_lines)
    assert [(line["status"], line["path"][:20]) for line in logged] == [
        (404, "/stock-items/{id}"),
        (422, "/stock-items"),
        (404, "/no/such/route/aaaaa"),
    ]
    assert logged[0]["correlation_id"] == made_up
    assert len(logged[2]["path"]) <= 200


async def test_one_correlation_id_follows_a_reservation_to_the_backoffice(
    apis: Apis, log_lines: Lines
) -> None:
    await add_iphones(apis)
    await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve",
        json={"quantity": 10, "reservationId": "order-followed"},
        headers={"X-Correlation-Id": "req-follow-me"},
    )
    await apis.settle()

    handled = {
        (line["subscriber"], line["event_name"])
        for line in log_lines()
        if line["message"] == "handling event" and line.get("correlation_id") == "req-follow-me"
    }
    # The reservation, and the package registered because of it, down to the tracking view.
    assert ("backoffice.tracking", "inventory.stock_item.reserved") in handled
    assert ("backoffice.tracking", "logistics.package.registered") in handled
    assert ("logistics.create_package_on_stock_item_reserved", "inventory.stock_item.reserved") in (
        handled
    )


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_the_guide_flow(apis: Apis) -> None:
    before = samples((await apis.inventory.get("/metrics")).text)
    await add_iphones(apis)
    reserve = {"quantity": 10, "reservationId": "order-counted"}
    assert (await apis.inventory.put(f"/stock-items/{ITEM}/reserve", json=reserve)).is_success
    await apis.settle()
    assert (await apis.backoffice.get("/tracking/order-counted")).status_code == 200

    scraped = await apis.backoffice.get("/metrics")
    assert scraped.headers["content-type"].startswith("text/plain")
    after = samples(scraped.text)

    def grew(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    reserved, registered = "inventory.stock_item.reserved", "logistics.package.registered"
    assert grew("logistics_events_recorded_total", event=reserved) == 1
    assert grew("logistics_events_recorded_total", event=registered) == 1
    tracking = "backoffice.tracking"
    assert grew("logistics_events_consumed_total", event=reserved, subscriber=tracking) == 1
    assert grew("logistics_events_consumed_total", event=registered, subscriber=tracking) == 1
    assert grew("logistics_event_handling_duration_seconds_count", subscriber=tracking) == 2
    assert after[("logistics_subscriber_lag_seconds", frozenset({("subscriber", tracking)}))] >= 0
    route = {"api": "inventory-api", "method": "PUT", "route": "/stock-items/{id}/reserve"}
    assert grew("logistics_http_request_duration_seconds_count", **route, status="200") == 1
    tracked = {"api": "backoffice-api", "method": "GET", "route": "/tracking/{reservation_id}"}
    assert grew("logistics_http_request_duration_seconds_count", **tracked, status="200") == 1


async def test_made_up_paths_and_methods_add_no_metric_series(apis: Apis) -> None:
    for n in range(3):
        await apis.inventory.request(f"METHOD{n}", f"/made/up/{n}")
    scraped = samples((await apis.inventory.get("/metrics")).text)
    series = [
        (dict(labels)["route"], dict(labels)["method"])
        for name, labels in scraped
        if name == "logistics_http_request_duration_seconds_count"
    ]
    assert not any(route.startswith("/made/up") for route, _ in series)
    assert not any(method.startswith("METHOD") for _, method in series)
    assert ("unmatched", "other") in series
