"""What a dashboard asks the Backoffice API: views by carrier and warehouse, and an item's
stock, which follows the Inventory API's own figures (embedded, in process)."""

import uuid
from typing import Any

from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem

FIGURES = {
    "quantity": "available",
    "reserved": "reserved",
    "onHand": "onHand",
    "shipped": "shipped",
}


async def reserve(apis: Apis, item: str, reservation: str, quantity: int) -> None:
    answer = await apis.inventory.put(
        f"/stock-items/{item}/reserve", json={"quantity": quantity, "reservationId": reservation}
    )
    assert answer.status_code == 200, answer.text


async def package_of(apis: Apis, reservation: str) -> str:
    await apis.settle()
    found = (await apis.logistics.get("/packages", params={"reservationId": reservation})).json()
    return str(found["items"][0]["id"])


async def tracked(apis: Apis, **filters: str) -> list[str]:
    answer = await apis.backoffice.get("/tracking", params={"sort": "reservationId", **filters})
    assert answer.status_code == 200, answer.text
    return [view["reservationId"] for view in answer.json()["items"]]


async def assert_same_stock(apis: Apis, item: str) -> dict[str, Any]:
    await apis.settle()
    inventory = (await apis.inventory.get(f"/stock-items/{item}")).json()
    answer = await apis.backoffice.get(f"/catalog/{item}")
    assert answer.status_code == 200, answer.text
    catalog: dict[str, Any] = answer.json()
    assert {mine: catalog[mine] for mine in FIGURES.values()} == {
        mine: inventory[theirs] for theirs, mine in FIGURES.items()
    }
    assert (catalog["low"], catalog["lowStockThreshold"]) == (
        inventory["lowStock"],
        inventory["lowStockThreshold"],
    )
    return catalog


async def test_a_reservation_then_a_dispatch_is_found_by_warehouse_and_carrier(
    apis: Apis,
) -> None:
    berlin, main = str(uuid.uuid4()), str(uuid.uuid4())
    for item, warehouse in ((berlin, "BER-1"), (main, "MAIN")):
        added = await apis.inventory.post(
            "/stock-items",
            json={
                "id": item,
                "name": "Pixel 9",
                "quantity": 10,
                "warehouse": warehouse,
                "sku": f"PX-{warehouse}",
                "lowStockThreshold": 5,
            },
        )
        assert added.status_code == 201, added.text
    await reserve(apis, berlin, "order-ber", 6)
    await reserve(apis, main, "order-main", 1)
    await apis.settle()
    assert await tracked(apis, warehouse="BER-1") == ["order-ber"]
    catalog = await assert_same_stock(apis, berlin)
    assert catalog == {
        "id": berlin,
        "name": "Pixel 9",
        "warehouse": "BER-1",
        "sku": "PX-BER-1",
        "lowStockThreshold": 5,
        "onHand": 10,
        "available": 4,
        "reserved": 6,
        "shipped": 0,
        "low": True,
    }

    package = await package_of(apis, "order-ber")
    dispatched = await apis.logistics.post(
        f"/packages/{package}/dispatch", json={"carrier": "DHL", "location": "Berlin"}
    )
    assert dispatched.status_code == 200, dispatched.text
    await apis.settle()
    assert await tracked(apis, carrier="DHL") == ["order-ber"]
    assert await tracked(apis, carrier=" DHL ", warehouse="BER-1") == ["order-ber"]
    assert await tracked(apis, carrier="DHL", warehouse="MAIN") == []
    view = (await apis.backoffice.get("/tracking/order-ber")).json()
    assert (view["warehouse"], view["carrier"]) == ("BER-1", "DHL")
    shipped = await assert_same_stock(apis, berlin)  # the reservation was committed
    assert (shipped["onHand"], shipped["shipped"]) == (4, 6)

    for action, body in (
        ("replenish", {"quantity": 20, "receiptId": "dn-1"}),
        ("adjust", {"onHand": 21, "reason": "cycle count", "countId": "count-1"}),
    ):
        answer = await apis.inventory.post(f"/stock-items/{berlin}/{action}", json=body)
        assert answer.status_code == 200, answer.text
    await assert_same_stock(apis, berlin)
    returned = await apis.logistics.post(f"/packages/{package}/fail", json={"reason": "away"})
    assert returned.status_code == 200, returned.text
    returned = await apis.logistics.post(f"/packages/{package}/return", json={"reason": "away"})
    assert returned.status_code == 200, returned.text
    restocked = await assert_same_stock(apis, berlin)
    assert (restocked["available"], restocked["shipped"]) == (27, 0)  # counted 21, back 6
    await assert_same_stock(apis, main)
    assert await tracked(apis, warehouse="MAIN") == ["order-main"]


async def test_unknown_items_are_404_and_bad_filters_422(apis: Apis) -> None:
    assert_problem(await apis.backoffice.get(f"/catalog/{uuid.uuid4()}"), 404)
    assert_problem(await apis.backoffice.get("/catalog/not-a-uuid"), 422)
    for bad in (
        {"warehouse": "ber-1"},
        {"warehouse": "X" * 21},
        {"carrier": "D\x01HL"},
        {"carrier": "   "},
        {"carrier": "C" * 51},
    ):
        assert_problem(await apis.backoffice.get("/tracking", params=bad), 422)
