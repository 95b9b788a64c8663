"""The Backoffice API over the package's whole life, low-stock alerts and delivery
analytics. Logistics' and Inventory's lifecycle events are recorded in the embedded
platform's outbox as those contexts publish them, and delivered in process."""

import uuid
from typing import Any

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.persistence import outbox
from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem
from tests.mothers.backoffice import package_step, reservation_changed, stock_level


async def publish(apis: Apis, *events: EventEnvelope) -> None:
    async with apis.platform.engine.begin() as connection:
        await outbox.append(connection, list(events))
    await apis.settle()


async def a_registered_package(apis: Apis, item: str, reservation: str) -> dict[str, Any]:
    added = await apis.inventory.post(
        "/stock-items", json={"id": item, "name": "Camera Drone X", "quantity": 100}
    )
    assert added.status_code == 201, added.text
    reserved = await apis.inventory.put(
        f"/stock-items/{item}/reserve", json={"quantity": 2, "reservationId": reservation}
    )
    assert reserved.status_code == 200, reserved.text
    await apis.settle()
    view: dict[str, Any] = (await apis.backoffice.get(f"/tracking/{reservation}")).json()
    assert view["status"] == "registered"
    return view


async def test_the_tracking_view_follows_a_second_attempt_and_a_return(apis: Apis) -> None:
    item = str(uuid.uuid4())
    package = (await a_registered_package(apis, item, "order-1"))["packageId"]

    def step(name: str, version: int, **attributes: object) -> EventEnvelope:
        return package_step(name, "order-1", package, version, **attributes)

    await publish(
        apis,
        step("dispatch", 2, carrier="DHL", location="Depot A"),
        reservation_changed("committed", item, "order-1"),
        step("fail", 3, reason="nobody home", location="Door"),
    )
    await publish(apis, step("dispatch", 4, carrier="UPS", location="Depot B"))
    view = (await apis.backoffice.get("/tracking/order-1")).json()
    assert (view["status"], view["carrier"], view["attempts"]) == ("in_transit", "UPS", 2)
    assert (view["lastLocation"], view["reservationStatus"]) == ("Depot B", "committed")

    await publish(apis, step("deliver", 5, signedBy="Ada", location="Porch"))
    view = (await apis.backoffice.get("/tracking/order-1")).json()
    assert (view["status"], view["signedBy"]) == ("delivered", "Ada")
    assert view["deliveredAt"] == view["timeline"][-1]["occurredOn"]
    assert [(e["status"], e["location"], e["note"]) for e in view["timeline"]] == [
        ("reserved", None, None),
        ("registered", None, None),
        ("in_transit", "Depot A", None),
        ("delivery_failed", "Door", "nobody home"),
        ("in_transit", "Depot B", None),
        ("delivered", "Porch", None),
    ]
    assert view["cancellationRefused"] is None
    listed = (await apis.backoffice.get("/tracking", params={"status": "delivered"})).json()
    assert [found["reservationId"] for found in listed["items"]] == ["order-1"]


async def test_the_summary_rates_deliveries_per_carrier(apis: Apis) -> None:
    item = str(uuid.uuid4())
    package = (await a_registered_package(apis, item, "order-1"))["packageId"]
    await publish(
        apis,
        package_step("dispatch", "order-1", package, 2, carrier="DHL"),
        package_step("fail", "order-1", package, 3),
        package_step("return", "order-1", package, 4),
    )
    summary = (await apis.backoffice.get("/analytics/summary")).json()
    assert summary["countsByStatus"]["returned"] == 1
    assert summary["deliveries"] == {
        "dispatched": 1,
        "failed": 1,
        "returned": 1,
        "failureRate": 1.0,
        "returnRate": 1.0,
        "registrationToDelivery": {"count": 0, "medianSeconds": None, "p90Seconds": None},
    }
    assert set(summary["deliveriesByCarrier"]) == {"DHL"}


async def test_low_stock_alerts_list_items_under_their_threshold(apis: Apis) -> None:
    item = str(uuid.uuid4())
    added = await apis.inventory.post(
        "/stock-items", json={"id": item, "name": "USB cable", "quantity": 3}
    )
    assert added.status_code == 201, added.text
    await publish(apis, stock_level(item, low=True, available=3, threshold=5, version=2))
    alerts = (await apis.backoffice.get("/alerts/low-stock")).json()
    assert alerts["total"] == 1
    [alert] = alerts["items"]
    assert (alert["stockItemId"], alert["stockItemName"]) == (item, "USB cable")
    assert (alert["available"], alert["threshold"], alert["warehouse"]) == (3, 5, "MAIN")
    await publish(apis, stock_level(item, low=False, available=9, threshold=5, version=3))
    assert (await apis.backoffice.get("/alerts/low-stock")).json()["items"] == []
    assert_problem(await apis.backoffice.get("/alerts/low-stock?warehouse=bad wh"), 422)
    assert_problem(await apis.backoffice.get("/alerts/low-stock?size=0"), 422)


async def test_the_contract_declares_problem_answers(apis: Apis) -> None:
    paths = (await apis.backoffice.get("/openapi.json")).json()["paths"]
    lookup = paths["/tracking/{reservation_id}"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(lookup)
    assert "application/problem+json" in lookup["404"]["content"]
    assert "application/problem+json" in paths["/tracking"]["get"]["responses"]["422"]["content"]
    assert "/alerts/low-stock" in paths
