"""SLA alerts through the HTTP APIs of an embedded platform: with tiny limits a registered
package is listed as stuck; a second failed delivery is listed at once; a delivered package
never is."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem
from tests.waiting import eventually


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    """The embedded platform with a registered package overdue after a fifth of a second."""
    settings = Settings(
        database_url=database_url,
        rabbitmq_url=None,
        sla_registered_max_seconds=0.2,
        sla_sweep_interval=0.05,
    )
    built = await bootstrap(settings, migrate=True)
    try:
        yield built
    finally:
        await built.close()


async def registered_package(apis: Apis) -> dict[str, Any]:
    """Add stock, reserve it, and find the package Logistics registered for it."""
    item, reservation = str(uuid.uuid4()), f"order-{uuid.uuid4().hex[:8]}"
    added = await apis.inventory.post(
        "/stock-items", json={"id": item, "name": "Lamp", "quantity": 5}
    )
    assert added.status_code == 201, added.text
    reserved = await apis.inventory.put(
        f"/stock-items/{item}/reserve", json={"quantity": 1, "reservationId": reservation}
    )
    assert reserved.status_code == 200, reserved.text
    await apis.settle()
    found = await apis.logistics.get("/packages", params={"reservationId": reservation})
    (package,) = found.json()["items"]
    return dict(package)


async def step(apis: Apis, package_id: str, action: str, body: object) -> None:
    answer = await apis.logistics.post(f"/packages/{package_id}/{action}", json=body)
    assert answer.status_code == 200, answer.text


async def alerts(apis: Apis, **params: str) -> list[dict[str, Any]]:
    answer = await apis.backoffice.get("/alerts/sla", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def of(package: dict[str, Any], listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [alert for alert in listed if alert["packageId"] == package["id"]]


@pytest.fixture
async def monitor(platform: Platform) -> AsyncIterator[None]:
    """The SLA monitor running, as in ``serve``."""
    running = asyncio.create_task(platform.sla_monitor().run())
    yield
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)


@pytest.mark.usefixtures("monitor")
async def test_a_package_left_registered_is_listed_as_stuck_registered(apis: Apis) -> None:
    package = await registered_package(apis)

    async def listed() -> list[dict[str, Any]]:
        return of(package, await alerts(apis, kind="stuck_registered"))

    (alert,) = await eventually(listed, what="the stuck_registered alert")
    assert alert["kind"] == "stuck_registered"
    assert alert["status"] == "registered"
    assert alert["trackingNumber"] == package["trackingNumber"]
    assert alert["reservationId"] == package["reservationId"]
    assert alert["thresholdSeconds"] == 0.2
    assert alert["since"] == package["createdAt"]
    await apis.settle()  # the breach's own event reaches its subscribers
    assert len(of(package, await alerts(apis))) == 1


async def test_a_second_failed_delivery_is_listed_at_once(apis: Apis) -> None:
    package = await registered_package(apis)
    for _ in range(2):
        await step(apis, package["id"], "dispatch", {"carrier": "DHL", "location": "Depot"})
        await step(apis, package["id"], "fail", {"reason": "nobody home"})
    await apis.settle()

    (alert,) = of(package, await alerts(apis, kind="repeated_failures", carrier="DHL"))
    assert (alert["status"], alert["failures"], alert["carrier"]) == ("delivery_failed", 2, "DHL")
    assert alert["thresholdSeconds"] is None
    assert of(package, await alerts(apis, kind="repeated_failures", carrier="UPS")) == []


async def test_a_delivered_package_never_alerts(apis: Apis, platform: Platform) -> None:
    delivered, forgotten = await registered_package(apis), await registered_package(apis)
    await step(apis, delivered["id"], "dispatch", {"carrier": "DHL", "location": "Depot"})
    await step(apis, delivered["id"], "deliver", {"signedBy": "A. Customer"})
    await apis.settle()

    a_year_later = datetime.now(UTC) + timedelta(days=365)
    await platform.sla_monitor().sweep(a_year_later)

    listed = await alerts(apis)
    assert of(delivered, listed) == []
    assert [alert["kind"] for alert in of(forgotten, listed)] == ["stuck_registered"]


@pytest.mark.parametrize(
    "params",
    [{"kind": "late"}, {"size": "0"}, {"page": "0"}, {"carrier": "a\u0000b"}, {"carrier": ""}],
)
async def test_a_malformed_filter_is_unprocessable(apis: Apis, params: dict[str, str]) -> None:
    assert_problem(await apis.backoffice.get("/alerts/sla", params=params), 422)


async def test_the_list_is_newest_first_and_paged(apis: Apis, platform: Platform) -> None:
    now = datetime.now(UTC)
    first = await registered_package(apis)
    await platform.sla_monitor().sweep(now + timedelta(days=1))
    second = await registered_package(apis)
    await platform.sla_monitor().sweep(now + timedelta(days=2))

    pages = [
        (await apis.backoffice.get("/alerts/sla", params={"size": 1, "page": n})).json()
        for n in (1, 2)
    ]
    assert [page["total"] for page in pages] == [2, 2]
    assert [page["items"][0]["packageId"] for page in pages] == [second["id"], first["id"]]
