"""The guide's curl walkthrough (step 32.3), through HTTP."""

import asyncio
import re

from tests.acceptance.conftest import Apis
from tests.acceptance.guide import ITEM, add_iphones, reserve


async def test_add_reserve_and_track_a_registered_package(apis: Apis) -> None:
    await add_iphones(apis)
    assert await reserve(apis, 10, "order-final-test") == 200
    await apis.settle()

    response = await apis.backoffice.get("/tracking/order-final-test")

    assert response.status_code == 200
    view = response.json()
    assert view["reservationId"] == view["id"] == "order-final-test"
    assert view["stockItemId"] == ITEM
    assert view["stockItemName"] == "iPhone 15 Pro"
    assert view["reservedQuantity"] == 10
    assert view["status"] == "registered"
    assert re.fullmatch(r"[A-Z0-9]{10}", view["trackingNumber"])
    assert view["packageId"]
    assert [entry["status"] for entry in view["timeline"]] == ["reserved", "registered"]


async def test_stock_levels_follow_reservations(apis: Apis) -> None:
    await add_iphones(apis)
    await reserve(apis, 10, "order-1")
    response = await apis.inventory.get(f"/stock-items/{ITEM}")
    guide_fields = {"id", "name", "quantity", "reserved", "onHand"}
    assert {k: v for k, v in response.json().items() if k in guide_fields} == {
        "id": ITEM,
        "name": "iPhone 15 Pro",
        "quantity": 90,
        "reserved": 10,
        "onHand": 100,
    }
    assert (response.json()["shipped"], response.json()["warehouse"]) == (0, "MAIN")


async def test_the_added_item_is_returned_with_its_location(apis: Apis) -> None:
    response = await apis.inventory.post(
        "/stock-items", json={"id": ITEM, "name": "  iPhone 15 Pro ", "quantity": 5}
    )
    assert response.status_code == 201
    assert response.headers["location"] == f"/stock-items/{ITEM}"
    assert response.json()["name"] == "iPhone 15 Pro"


async def test_the_same_reservation_twice_reserves_once_and_ships_one_package(apis: Apis) -> None:
    await add_iphones(apis)
    assert await reserve(apis, 10, "order-twice") == 200
    assert await reserve(apis, 10, "order-twice") == 200
    await apis.settle()
    item = (await apis.inventory.get(f"/stock-items/{ITEM}")).json()
    assert (item["quantity"], item["reserved"]) == (90, 10)
    listing = (await apis.backoffice.get("/tracking", params={"stockItemId": ITEM})).json()
    assert listing["total"] == 1


async def test_50_concurrent_reservations_of_one_unit_against_20_units(apis: Apis) -> None:
    await add_iphones(apis, quantity=20)
    statuses = await asyncio.gather(*(reserve(apis, 1, f"order-{n}") for n in range(50)))
    assert sorted(set(statuses)) == [200, 409]
    assert statuses.count(200) == 20
    item = (await apis.inventory.get(f"/stock-items/{ITEM}")).json()
    assert (item["quantity"], item["reserved"], item["onHand"]) == (0, 20, 20)
    await apis.settle()
    listing = (
        await apis.backoffice.get("/tracking", params={"status": "registered", "size": 100})
    ).json()
    assert listing["total"] == 20
    assert len({view["trackingNumber"] for view in listing["items"]}) == 20


async def test_stock_items_are_listed_a_page_at_a_time(apis: Apis) -> None:
    for n in range(5):
        await apis.inventory.post(
            "/stock-items",
            json={
                "id": f"00000000-0000-4000-8000-00000000000{n}",
                "name": f"item {n}",
                "quantity": n,
            },
        )
    first = (await apis.inventory.get("/stock-items", params={"page": 1, "size": 2})).json()
    last = (await apis.inventory.get("/stock-items", params={"page": 3, "size": 2})).json()
    assert (first["total"], first["page"], first["size"]) == (5, 1, 2)
    assert [item["name"] for item in first["items"]] == ["item 0", "item 1"]
    assert [item["name"] for item in last["items"]] == ["item 4"]


async def test_health_and_readiness(apis: Apis) -> None:
    for client, service in ((apis.inventory, "inventory-api"), (apis.backoffice, "backoffice-api")):
        health = await client.get("/health")
        assert health.status_code == 200
        assert health.json()["service"] == service
        assert (await client.get("/ready")).status_code == 200
    overall = await apis.health.get("/health")
    assert overall.status_code == 200
    assert set(overall.json()["services"].values()) == {"ok"}


async def test_every_api_serves_its_openapi_document(apis: Apis) -> None:
    for client in (apis.inventory, apis.backoffice, apis.health):
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")
