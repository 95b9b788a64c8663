"""Stock follows the package, through the Inventory API (embedded platform, on SQLite and
PostgreSQL): warehouses and SKUs, replenishments, counts, releases, expiry, low stock."""

import uuid
from typing import Any

from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem
from tests.waiting import eventually


async def add(apis: Apis, quantity: int = 10, **more: Any) -> str:
    id = str(uuid.uuid4())
    body = {"id": id, "name": "Pixel 9", "quantity": quantity, **more}
    response = await apis.inventory.post("/stock-items", json=body)
    assert response.status_code == 201, response.text
    return id


async def reserve(apis: Apis, item: str, quantity: int, reservation: str, **more: Any) -> None:
    body = {"quantity": quantity, "reservationId": reservation, **more}
    response = await apis.inventory.put(f"/stock-items/{item}/reserve", json=body)
    assert response.status_code == 200, response.text


async def item_of(apis: Apis, id: str) -> dict[str, Any]:
    response = await apis.inventory.get(f"/stock-items/{id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_guide_s_body_gets_the_main_warehouse_and_the_new_fields(apis: Apis) -> None:
    id = await add(apis, 10)
    body = await item_of(apis, id)
    assert body | {"id": id, "version": 0} == {
        "id": id,
        "name": "Pixel 9",
        "warehouse": "MAIN",
        "sku": None,
        "quantity": 10,
        "reserved": 0,
        "onHand": 10,
        "shipped": 0,
        "lowStockThreshold": 0,
        "lowStock": False,
        "version": 0,
    }


async def test_a_sku_is_unique_within_its_warehouse(apis: Apis) -> None:
    await add(apis, warehouse="BER-1", sku="PX-9")
    await add(apis, warehouse="HAM-2", sku="PX-9")
    response = await apis.inventory.post(
        "/stock-items",
        json={
            "id": str(uuid.uuid4()),
            "name": "x",
            "quantity": 1,
            "warehouse": "BER-1",
            "sku": "PX-9",
        },
    )
    assert "PX-9" in assert_problem(response, 409)["detail"]


async def test_a_name_with_a_nul_character_is_refused_with_422(apis: Apis) -> None:
    response = await apis.inventory.post(
        "/stock-items", json={"id": str(uuid.uuid4()), "name": "bad\u0000name", "quantity": 1}
    )
    problem = assert_problem(response, 422)  # the schema's pattern refuses it at the edge
    assert [error["field"] for error in problem["errors"]] == ["body.name"]


async def test_replenishing_is_booked_once_per_receipt(apis: Apis) -> None:
    id = await add(apis, 10)
    url = f"/stock-items/{id}/replenish"
    first = await apis.inventory.post(url, json={"quantity": 5, "receiptId": "dn-1"})
    again = await apis.inventory.post(url, json={"quantity": 5, "receiptId": "dn-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert (first.json()["quantity"], first.json()["onHand"]) == (15, 15)
    assert_problem(await apis.inventory.post(url, json={"quantity": 6, "receiptId": "dn-1"}), 409)
    assert_problem(await apis.inventory.post(url, json={"quantity": 0, "receiptId": "dn-2"}), 422)
    unknown = f"/stock-items/{uuid.uuid4()}/replenish"
    assert_problem(await apis.inventory.post(unknown, json={"quantity": 1, "receiptId": "x"}), 404)


async def test_a_count_sets_on_hand_but_never_below_what_is_reserved(apis: Apis) -> None:
    id = await add(apis, 10)
    await reserve(apis, id, 4, "order-1")
    url = f"/stock-items/{id}/adjust"
    counted = await apis.inventory.post(
        url, json={"onHand": 7, "reason": "shelf count", "countId": "count-1"}
    )
    assert counted.status_code == 200, counted.text
    assert (counted.json()["quantity"], counted.json()["reserved"], counted.json()["onHand"]) == (
        3,
        4,
        7,
    )
    again = await apis.inventory.post(
        url, json={"onHand": 7, "reason": "shelf count", "countId": "count-1"}
    )
    assert again.json() == counted.json()
    below = await apis.inventory.post(url, json={"onHand": 3, "reason": "x", "countId": "count-2"})
    assert_problem(below, 409)
    bad = await apis.inventory.post(url, json={"onHand": 3, "reason": "a\u0000", "countId": "c-3"})
    assert_problem(bad, 422)


async def test_releasing_gives_units_back_once_and_is_harmless_to_repeat(apis: Apis) -> None:
    id = await add(apis, 10)
    await reserve(apis, id, 4, "order-2")
    held = await apis.inventory.get("/reservations/order-2")
    assert (held.json()["status"], held.json()["quantity"], held.json()["stockItemId"]) == (
        "held",
        4,
        id,
    )
    released = await apis.inventory.post("/reservations/order-2/release")
    again = await apis.inventory.post("/reservations/order-2/release", json={"reason": "twice"})
    assert released.status_code == again.status_code == 200
    assert released.json()["status"] == again.json()["status"] == "released"
    assert (await item_of(apis, id))["quantity"] == 10
    assert_problem(await apis.inventory.post("/reservations/nobody/release"), 404)
    assert_problem(await apis.inventory.get("/reservations/nobody"), 404)
    assert_problem(await apis.inventory.get("/reservations/bad%20id"), 422)


async def test_a_held_reservation_expires_after_its_ttl(apis: Apis) -> None:
    id = await add(apis, 10)
    await reserve(apis, id, 4, "order-ttl", ttlSeconds=1)
    held = (await apis.inventory.get("/reservations/order-ttl")).json()
    assert held["status"] == "held"
    assert held["expiresAt"] is not None
    sweeper = apis.platform.reservation_sweeper()

    async def expired() -> bool:
        await sweeper.sweep()
        body = (await apis.inventory.get("/reservations/order-ttl")).json()
        return body["status"] == "expired"

    await eventually(expired, what="the reservation to expire", every=0.2)
    assert (await item_of(apis, id))["quantity"] == 10
    too_long = {"quantity": 1, "reservationId": "o-long", "ttlSeconds": 2_592_001}
    assert_problem(await apis.inventory.put(f"/stock-items/{id}/reserve", json=too_long), 422)


async def test_low_stock_items_are_found_by_warehouse(apis: Apis) -> None:
    low = await add(apis, 10, warehouse="LOW-1", lowStockThreshold=8)
    await add(apis, 10, warehouse="LOW-1", lowStockThreshold=2)
    await add(apis, 1, warehouse="OTHER", lowStockThreshold=5)
    await reserve(apis, low, 3, "order-low")
    response = await apis.inventory.get(
        "/stock-items", params={"warehouse": "LOW-1", "lowStock": "true"}
    )
    assert response.status_code == 200, response.text
    assert [(i["id"], i["lowStock"]) for i in response.json()["items"]] == [(low, True)]
    assert response.json()["total"] == 1
    everywhere = await apis.inventory.get("/stock-items", params={"lowStock": "true"})
    assert everywhere.json()["total"] == 2
    assert_problem(await apis.inventory.get("/stock-items", params={"warehouse": "low"}), 422)


async def test_an_item_added_under_its_threshold_is_alerted_at_once(apis: Apis) -> None:
    # Added with fewer units than its threshold: low from its first version (0).
    item = await add(apis, 1, warehouse="NEW-1", lowStockThreshold=5)
    await apis.settle()
    alerts = (await apis.backoffice.get("/alerts/low-stock", params={"warehouse": "NEW-1"})).json()
    assert [(a["stockItemId"], a["available"], a["threshold"]) for a in alerts["items"]] == [
        (item, 1, 5)
    ]
    assert await apis.platform.dead_letters().peek() == []
