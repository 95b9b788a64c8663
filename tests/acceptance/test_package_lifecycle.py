"""SPEC §6 through the Logistics API: a reserved item's package through its whole life."""

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem

ITEM = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


async def reserved_package(apis: Apis, reservation_id: str = "order-1") -> dict[str, Any]:
    """Add stock, reserve it, and find the package Logistics registered for it."""
    await apis.inventory.post("/stock-items", json={"id": ITEM, "name": "Lamp", "quantity": 5})
    answer = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve", json={"quantity": 2, "reservationId": reservation_id}
    )
    assert answer.status_code == 200, answer.text
    await apis.settle()
    found = await apis.logistics.get("/packages", params={"reservationId": reservation_id})
    assert found.status_code == 200, found.text
    (package,) = found.json()["items"]
    return dict(package)


async def step(apis: Apis, id: str, action: str, body: object = None, **headers: str) -> Any:
    return await apis.logistics.post(f"/packages/{id}/{action}", json=body, headers=headers)


def assert_package(answer: httpx.Response, status: str, version: int, **fields: object) -> Any:
    assert answer.status_code == 200, answer.text
    package = answer.json()
    assert (package["status"], package["version"]) == (status, version)
    assert len(package["history"]) == version
    assert package["history"][-1]["status"] == status
    assert package["updatedAt"] == package["history"][-1]["occurredOn"]
    for name, value in fields.items():
        assert package[name] == value, name
    return package


async def test_reserve_dispatch_checkpoint_fail_dispatch_deliver_return(apis: Apis) -> None:
    package = await reserved_package(apis)
    id = package["id"]
    assert set(package) >= {"id", "trackingNumber", "reservationId", "createdAt", "history"}
    assert (package["status"], package["version"], package["attempts"]) == ("registered", 1, 0)

    answer = await step(apis, id, "dispatch", {"carrier": "DHL", "location": "Warehouse MAIN"})
    assert_package(
        answer, "in_transit", 2, carrier="DHL", lastLocation="Warehouse MAIN", attempts=1
    )
    answer = await step(apis, id, "checkpoints", {"location": "Hub Leipzig", "note": "sorted"})
    assert_package(answer, "in_transit", 3, lastLocation="Hub Leipzig")
    answer = await step(apis, id, "fail", {"reason": "nobody home", "location": "Main St 1"})
    assert_package(answer, "delivery_failed", 4, lastLocation="Main St 1")
    answer = await step(apis, id, "dispatch", {"carrier": "UPS", "location": "Depot 7"})
    assert_package(answer, "in_transit", 5, carrier="UPS", attempts=2)
    answer = await step(apis, id, "deliver", {"signedBy": "A. Customer"})
    assert_package(answer, "delivered", 6, lastLocation="Depot 7")
    answer = await step(apis, id, "return", {"reason": "refused after opening"})
    final = assert_package(answer, "returned", 7, attempts=2)

    assert [entry["status"] for entry in final["history"]] == [
        "registered", "in_transit", "in_transit", "delivery_failed", "in_transit", "delivered",
        "returned",
    ]  # fmt: skip
    assert [entry["location"] for entry in final["history"]][1:4] == [
        "Warehouse MAIN", "Hub Leipzig", "Main St 1",
    ]  # fmt: skip
    moments = [datetime.fromisoformat(entry["occurredOn"]) for entry in final["history"]]
    assert moments == sorted(moments)
    assert final["createdAt"] == package["createdAt"]
    assert (await apis.logistics.get(f"/packages/{id}")).json() == final


async def test_illegal_steps_are_409_naming_the_current_status(apis: Apis) -> None:
    id = (await reserved_package(apis))["id"]

    for action, body in (("deliver", {"signedBy": "X"}), ("return", {"reason": "why"})):
        problem = assert_problem(await step(apis, id, action, body), 409)
        assert "'registered'" in problem["detail"]
    assert_package(await step(apis, id, "cancel"), "cancelled", 2)
    problem = assert_problem(
        await step(apis, id, "dispatch", {"carrier": "D", "location": "L"}), 409
    )
    assert "'cancelled'" in problem["detail"]
    assert (await apis.logistics.get(f"/packages/{id}")).json()["version"] == 2


async def test_unknown_packages_are_404_and_bad_input_422(apis: Apis) -> None:
    id = (await reserved_package(apis))["id"]
    unknown = str(uuid.uuid4())

    assert_problem(await apis.logistics.get(f"/packages/{unknown}"), 404)
    assert_problem(await step(apis, unknown, "cancel", {}), 404)
    assert_problem(await apis.logistics.get("/packages/not-a-uuid"), 422)
    for body in (
        {"carrier": "", "location": "L"},
        {"carrier": "x" * 51, "location": "L"},
        {"carrier": "DHL"},
        {"carrier": "DHL", "location": "a\u0000b"},
        {"carrier": "   ", "location": "L"},
        [],
    ):
        assert_problem(await step(apis, id, "dispatch", body), 422)
    assert_problem(await apis.logistics.get("/packages", params={"status": "lost"}), 422)
    assert (await apis.logistics.get(f"/packages/{id}")).json()["version"] == 1


async def test_packages_are_listed_by_status_and_tracking_number(apis: Apis) -> None:
    first = await reserved_package(apis, "order-1")
    await reserved_package(apis, "order-2")
    await step(apis, first["id"], "cancel", {"reason": "customer changed mind"})

    by_status = (await apis.logistics.get("/packages", params={"status": "cancelled"})).json()
    assert [item["id"] for item in by_status["items"]] == [first["id"]]
    number = first["trackingNumber"]
    by_number = (await apis.logistics.get("/packages", params={"trackingNumber": number})).json()
    assert (by_number["total"], by_number["items"][0]["id"]) == (1, first["id"])
    page = (await apis.logistics.get("/packages", params={"size": 1, "page": 2})).json()
    assert (page["total"], page["page"], page["size"], len(page["items"])) == (2, 2, 1, 1)


async def test_the_same_idempotency_key_answers_the_first_answer_and_changes_nothing(
    apis: Apis,
) -> None:
    id = (await reserved_package(apis))["id"]
    body = {"carrier": "DHL", "location": "MAIN"}

    first = await step(apis, id, "dispatch", body, **{"Idempotency-Key": "dispatch-1"})
    again = await step(apis, id, "dispatch", body, **{"Idempotency-Key": "dispatch-1"})

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert (await apis.logistics.get(f"/packages/{id}")).json()["version"] == 2
    other = {"carrier": "UPS", "location": "MAIN"}
    reused = await step(apis, id, "dispatch", other, **{"Idempotency-Key": "dispatch-1"})
    assert assert_problem(reused, 422)["title"] == "Idempotency-Key reused"
    # A refusal is an answer too: replayed, even after the package moved on.
    refused = await step(apis, id, "cancel", {}, **{"Idempotency-Key": "cancel-1"})
    assert_problem(refused, 409)
    replayed = await step(apis, id, "cancel", {}, **{"Idempotency-Key": "cancel-1"})
    assert (replayed.status_code, replayed.content) == (409, refused.content)


async def test_concurrent_requests_with_one_key_run_once(apis: Apis) -> None:
    id = (await reserved_package(apis))["id"]
    body = {"carrier": "DHL", "location": "MAIN"}

    answers = await asyncio.gather(
        *(step(apis, id, "dispatch", body, **{"Idempotency-Key": '"same"'}) for _ in range(8))
    )

    ran = [a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers]
    replays = [a for a in answers if "idempotent-replayed" in a.headers]
    in_flight = [a for a in answers if a.status_code == 409]
    assert len(ran) == 1
    assert len(ran) + len(replays) + len(in_flight) == 8
    assert all(replay.content == ran[0].content for replay in replays)
    for answer in in_flight:
        assert assert_problem(answer, 409)["title"] == "Idempotency-Key in use"
    assert (await apis.logistics.get(f"/packages/{id}")).json()["attempts"] == 1


async def test_malformed_idempotency_keys_are_400(apis: Apis) -> None:
    id = (await reserved_package(apis))["id"]
    for key in ("", '""', "k" * 256, "caf\u00e9", "tab\there"):
        answer = await apis.logistics.post(
            f"/packages/{id}/cancel", headers=[("Idempotency-Key", key.encode("utf-8"))]
        )
        assert_problem(answer, 400)
    assert (await apis.logistics.get(f"/packages/{id}")).json()["status"] == "registered"


async def test_inventory_posts_and_puts_take_an_idempotency_key_too(apis: Apis) -> None:
    item = {"id": str(uuid.uuid4()), "name": "Chair", "quantity": 3}
    headers = {"Idempotency-Key": "add-chair"}
    first = await apis.inventory.post("/stock-items", json=item, headers=headers)
    again = await apis.inventory.post("/stock-items", json=item, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["location"] == first.headers["location"]
    assert again.content == first.content
    without = await apis.inventory.post("/stock-items", json=item)
    assert_problem(without, 409)  # the key made the repeat harmless, not the item


async def test_openapi_declares_the_problems_and_the_idempotency_key(apis: Apis) -> None:
    document = (await apis.logistics.get("/openapi.json")).json()
    dispatch = document["paths"]["/packages/{id}/dispatch"]["post"]
    for status, schema in (("404", "Problem"), ("409", "Problem"), ("422", "ValidationProblem")):
        content = dispatch["responses"][status]["content"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
    assert "Idempotency-Key" in [parameter["name"] for parameter in dispatch["parameters"]]
    assert (await apis.logistics.get("/health")).json()["service"] == "logistics-api"
    assert (await apis.logistics.get("/ready")).status_code == 200


async def test_12_concurrent_deliveries_and_failures_give_one_200_and_eleven_409s(
    apis: Apis,
) -> None:
    id = (await reserved_package(apis))["id"]
    await step(apis, id, "dispatch", {"carrier": "DHL", "location": "MAIN"})

    answers = await asyncio.gather(
        *(
            step(apis, id, "deliver", {"signedBy": f"S{n}"})
            if n % 2
            else step(apis, id, "fail", {"reason": f"R{n}"})
            for n in range(12)
        )
    )

    (won,) = [answer for answer in answers if answer.status_code == 200]
    final = won.json()["status"]
    for answer in answers:
        if answer is not won:
            assert f"'{final}'" in assert_problem(answer, 409)["detail"]
    stored = (await apis.logistics.get(f"/packages/{id}")).json()
    assert (stored["status"], stored["version"], len(stored["history"])) == (final, 3, 3)
