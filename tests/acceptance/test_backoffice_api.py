"""The Backoffice API: tracking lookups, search, analytics and projection lag, over HTTP."""

import uuid
from typing import Any

from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem

DRONE = "550e8400-e29b-41d4-a716-446655440000"


async def a_shop(apis: Apis) -> dict[str, str]:
    """Two items, five reservations (three of the phone), every one packed."""
    phone = str(uuid.uuid4())
    for item, name in ((DRONE, "Camera Drone X"), (phone, "iPhone 15 Pro")):
        added = await apis.inventory.post(
            "/stock-items", json={"id": item, "name": name, "quantity": 100}
        )
        assert added.status_code == 201, added.text
    for n, (item, quantity) in enumerate(
        [(phone, 1), (DRONE, 2), (phone, 3), (phone, 4), (DRONE, 5)]
    ):
        reserved = await apis.inventory.put(
            f"/stock-items/{item}/reserve",
            json={"quantity": quantity, "reservationId": f"order-{n}"},
        )
        assert reserved.status_code == 200, reserved.text
    await apis.settle()
    return {"phone": phone}


async def listed(apis: Apis, **params: Any) -> dict[str, Any]:
    response = await apis.backoffice.get("/tracking", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def reservations(body: dict[str, Any]) -> list[str]:
    return [view["reservationId"] for view in body["items"]]


async def test_a_view_is_found_by_reservation_id_and_by_tracking_number(apis: Apis) -> None:
    await a_shop(apis)
    view = (await apis.backoffice.get("/tracking/order-1")).json()
    assert set(view) >= {
        "id",
        "reservationId",
        "stockItemId",
        "stockItemName",
        "reservedQuantity",
        "packageId",
        "trackingNumber",
        "status",
        "timeline",
        "createdAt",
        "updatedAt",
    }
    assert (view["id"], view["stockItemName"], view["status"]) == (
        "order-1",
        "Camera Drone X",
        "registered",
    )
    number = view["trackingNumber"]
    for spelling in (number, number.lower()):
        found = await apis.backoffice.get(f"/tracking/by-number/{spelling}")
        assert found.status_code == 200, found.text
        assert found.json() == {  # a customer's view: nothing internal
            "trackingNumber": number,
            "status": "registered",
            "carrier": None,
            "deliveredAt": None,
            "timeline": [
                {"status": entry["status"], "occurredOn": entry["occurredOn"], "location": None}
                for entry in view["timeline"]
                if entry["version"] > 0
            ],
        }
        assert len(found.json()["timeline"]) == 1
    assert_problem(await apis.backoffice.get("/tracking/by-number/ZZZZZZZZZZ"), 404)
    assert_problem(await apis.backoffice.get("/tracking/by-number/short"), 422)


async def test_the_list_filters_sorts_searches_and_pages(apis: Apis) -> None:
    shop = await a_shop(apis)
    everything = await listed(apis, sort="reservationId", size=2, page=2)
    assert (everything["total"], everything["page"], everything["size"]) == (5, 2, 2)
    assert reservations(everything) == ["order-2", "order-3"]
    assert reservations(await listed(apis, q="drone", sort="reservationId")) == [
        "order-1",
        "order-4",
    ]
    assert reservations(await listed(apis, q="IPHONE 15 pro", sort="-reservationId")) == [
        "order-3",
        "order-2",
        "order-0",
    ]
    phone = await listed(apis, stockItemId=shop["phone"].upper(), status="registered")
    assert phone["total"] == 3
    assert (await listed(apis, status="delivered"))["total"] == 0
    assert (await listed(apis, **{"from": "2000-01-01", "to": "2100-01-01T00:00:00Z"}))[
        "total"
    ] == 5
    assert (await listed(apis, **{"from": "2100-01-01"}))["total"] == 0
    assert (await listed(apis, q=""))["total"] == 5
    assert (await listed(apis, page=9))["items"] == []


async def test_the_summary_ranks_items_by_units_reserved_with_their_names(apis: Apis) -> None:
    await a_shop(apis)
    response = await apis.backoffice.get("/analytics/summary", params={"top": 1})
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["total"] == 5
    assert summary["countsByStatus"]["registered"] == 5
    assert summary["countsByStatus"]["delivered"] == 0
    assert summary["topStockItems"] == [
        {
            "stockItemId": summary["topStockItems"][0]["stockItemId"],
            "stockItemName": "iPhone 15 Pro",
            "unitsReserved": 8,
            "reservations": 3,
        }
    ]
    [day] = summary["perDay"]
    assert (day["reservations"], day["registrations"], day["deliveries"]) == (5, 5, 0)
    timing = summary["reservationToRegistration"]
    assert timing["count"] == 5
    assert 0 <= timing["medianSeconds"] <= timing["p90Seconds"] < 60
    assert summary["reservationToDelivery"] == {
        "count": 0,
        "medianSeconds": None,
        "p90Seconds": None,
    }


async def test_projections_report_how_far_they_are_behind_the_log(apis: Apis) -> None:
    await a_shop(apis)
    settled = (await apis.backoffice.get("/projections")).json()
    assert (settled["store"], settled["storeStatus"], settled["views"]) == ("sql", "ok", 5)
    assert settled["eventsBehind"] == 0
    assert {p["name"] for p in settled["projections"]} == {
        "backoffice.catalog_on_stock_item_added",
        "backoffice.tracking",
        "backoffice.sla_watch",
    }
    await apis.inventory.put(
        f"/stock-items/{DRONE}/reserve", json={"quantity": 1, "reservationId": "order-late"}
    )
    behind = (await apis.backoffice.get("/projections")).json()
    lags = {p["name"]: p for p in behind["projections"]}
    tracking = lags["backoffice.tracking"]
    assert tracking["eventsBehind"] == 1
    assert tracking["headPosition"] > tracking["lastPosition"]
    assert behind["eventsBehind"] == 1


BAD_LIST_FILTERS: list[dict[str, Any]] = [
    {"from": "yesterday"},
    {"from": "2026-13-01"},
    {"to": "2026-02-30T10:00:00Z"},
    {"from": "1767225600"},  # a Unix time is not ISO 8601
    {"size": 101},
    {"size": 0},
    {"size": -5},
    {"size": 10**30},
    {"page": 0},
    {"page": "two"},
    {"page": 10**9},
    {"page": 101, "size": 100},
    {"sort": "name"},
    {"sort": "createdAt; DROP TABLE backoffice_tracking_views"},
    {"status": "lost"},
    {"status": "REGISTERED"},
    {"stockItemId": "not-a-uuid"},
    {"q": "a" * 201},
    {"q": " ".join(["word"] * 11)},
    # beyond what the stores hold (issue 19: these were 500s, an OverflowError)
    {"from": "9999-12-31T23:59:59-05:00"},
    {"to": "0001-01-01T00:00:00+05:00"},
    {"from": "0999-12-31T00:00:00Z"},
]

BAD_SUMMARY_PARAMETERS: list[dict[str, Any]] = [
    {"top": 0},
    {"top": 101},
    {"top": "ten"},
    {"from": "soon"},
    {"to": "1767225600"},
    {"from": "9999-12-31T23:59:59-05:00"},
    {"to": "0001-01-01T00:00:00+05:00"},
]


async def test_an_inverted_period_is_an_empty_answer(apis: Apis) -> None:
    await a_shop(apis)
    inverted = {"from": "2026-02-01", "to": "2026-01-01"}
    listed = await apis.backoffice.get("/tracking", params=inverted)
    assert (listed.status_code, listed.json()["total"]) == (200, 0)
    wordless = await apis.backoffice.get("/tracking", params={"q": "%%%"})
    assert wordless.json()["total"] == 5  # like a blank search box: no filter
    summary = await apis.backoffice.get("/analytics/summary", params=inverted)
    assert summary.status_code == 200, summary.text


async def test_invalid_filters_and_parameters_are_unprocessable(apis: Apis) -> None:
    await a_shop(apis)
    for params in BAD_LIST_FILTERS:
        assert_problem(await apis.backoffice.get("/tracking", params=params), 422)
    for params in BAD_SUMMARY_PARAMETERS:
        assert_problem(await apis.backoffice.get("/analytics/summary", params=params), 422)
