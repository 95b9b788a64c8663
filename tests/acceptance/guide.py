"""The guide's walkthrough steps (step 32.3) through the embedded APIs, for the acceptance
tests that start from them."""

from tests.acceptance.conftest import Apis

ITEM = "550e8400-e29b-41d4-a716-446655440000"


async def add_iphones(apis: Apis, quantity: int = 100) -> None:
    response = await apis.inventory.post(
        "/stock-items", json={"id": ITEM, "name": "iPhone 15 Pro", "quantity": quantity}
    )
    assert response.status_code == 201, response.text


async def reserve(apis: Apis, quantity: int, reservation_id: str) -> int:
    response = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve",
        json={"quantity": quantity, "reservationId": reservation_id},
    )
    return response.status_code
