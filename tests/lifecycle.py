"""The delivery lifecycle as an operator and a carrier drive it over HTTP, with the checks
between the steps: shared by the embedded and the production acceptance tests."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.processes import Processes
from tests.waiting import eventually

Body = dict[str, Any]


@dataclass
class Stack:
    inventory: str
    logistics: str
    backoffice: str
    processes: Processes


class Operator:
    """The calls a warehouse operator and a carrier make, with the checks between them."""

    def __init__(self, client: httpx.AsyncClient, stack: Stack) -> None:
        self.client, self.stack = client, stack

    async def add_item(self, quantity: int) -> str:
        item = str(uuid.uuid4())
        answer = await self.client.post(
            f"{self.stack.inventory}/stock-items",
            json={"id": item, "name": "Espresso machine", "quantity": quantity},
        )
        assert answer.status_code == 201, answer.text
        return item

    async def reserve(self, item: str, quantity: int, **extra: Any) -> str:
        reservation = f"order-{uuid.uuid4().hex[:10]}"
        answer = await self.client.put(
            f"{self.stack.inventory}/stock-items/{item}/reserve",
            json={"quantity": quantity, "reservationId": reservation, **extra},
        )
        assert answer.status_code == 200, answer.text
        return reservation

    async def package_of(self, reservation: str) -> Body:
        async def registered() -> Body | None:
            answer = await self.client.get(
                f"{self.stack.logistics}/packages", params={"reservationId": reservation}
            )
            items: list[Body] = answer.json()["items"] if answer.status_code == 200 else []
            return items[0] if items else None

        return await self._eventually(registered, f"the package of {reservation}")

    async def act(self, package: Body, action: str, body: Body | None, expect: int = 200) -> Body:
        answer = await self.client.post(
            f"{self.stack.logistics}/packages/{package['id']}/{action}", json=body or {}
        )
        assert answer.status_code == expect, answer.text
        result: Body = answer.json()
        return result

    async def item(self, item: str) -> Body:
        body: Body = (await self.client.get(f"{self.stack.inventory}/stock-items/{item}")).json()
        return body

    async def until_item(self, item: str, **expected: int) -> Body:
        async def matches() -> Body | None:
            body = await self.item(item)
            return body if all(body[k] == v for k, v in expected.items()) else None

        return await self._eventually(matches, f"stock item {item} with {expected}")

    async def until_reservation(self, reservation: str, status: str) -> Body:
        async def matches() -> Body | None:
            answer = await self.client.get(f"{self.stack.inventory}/reservations/{reservation}")
            body: Body = answer.json()
            return body if answer.status_code == 200 and body["status"] == status else None

        return await self._eventually(matches, f"reservation {reservation} {status}")

    async def until_package(self, package: Body, status: str) -> Body:
        async def matches() -> Body | None:
            answer = await self.client.get(f"{self.stack.logistics}/packages/{package['id']}")
            body: Body = answer.json()
            return body if body.get("status") == status else None

        return await self._eventually(matches, f"package {package['id']} {status}")

    async def until_view(self, reservation: str, **expected: Any) -> Body:
        async def matches() -> Body | None:
            answer = await self.client.get(f"{self.stack.backoffice}/tracking/{reservation}")
            body: Body = answer.json()
            ok = answer.status_code == 200 and all(body.get(k) == v for k, v in expected.items())
            return body if ok else None

        return await self._eventually(matches, f"tracking view of {reservation} with {expected}")

    async def _eventually(self, check: Callable[[], Awaitable[Body | None]], what: str) -> Body:
        result = await eventually(check, what=what, details=self.stack.processes.logs)
        assert result is not None
        return result


async def a_whole_life(op: Operator) -> None:
    """Reserve → dispatch → checkpoint → fail → dispatch → deliver → return, with the
    package, the reservation, the stock and the tracking view right at each step."""
    item = await op.add_item(100)
    reservation = await op.reserve(item, 10)
    package = await op.package_of(reservation)
    await op.until_view(reservation, status="registered", reservationStatus="held")

    await op.act(package, "dispatch", {"carrier": "SEUR", "location": "Madrid hub"})
    await op.until_reservation(reservation, "committed")
    await op.until_item(item, quantity=90, reserved=0, shipped=10)
    await op.act(package, "checkpoints", {"location": "Zaragoza", "note": "sorted"})
    failed = await op.act(package, "fail", {"reason": "nobody at home"})
    assert failed["status"] == "delivery_failed"
    again = await op.act(package, "dispatch", {"carrier": "SEUR", "location": "Zaragoza"})
    assert again["attempts"] == 2
    await op.until_view(reservation, status="in_transit", attempts=2)
    await op.act(package, "deliver", {"signedBy": "Ana", "location": "Front door"})
    view = await op.until_view(reservation, status="delivered", signedBy="Ana")
    assert [entry["status"] for entry in view["timeline"]] == [
        "reserved",
        "registered",
        "in_transit",
        "in_transit",
        "delivery_failed",
        "in_transit",
        "delivered",
    ]
    returned = await op.act(package, "return", {"reason": "wrong colour"})
    assert returned["status"] == "returned"
    await op.until_item(item, quantity=100, reserved=0, shipped=0)
    await op.until_view(reservation, status="returned", reservationStatus="committed")
    await op.act(package, "dispatch", {"carrier": "SEUR", "location": "x"}, expect=409)


async def releasing_cancelling_and_expiring(op: Operator) -> None:
    """Units come back whichever way a reservation ends before its package leaves; once
    it has left, a release is refused."""
    item = await op.add_item(30)

    released = await op.reserve(item, 5)
    package = await op.package_of(released)
    answer = await op.client.post(f"{op.stack.inventory}/reservations/{released}/release")
    assert answer.status_code == 200, answer.text
    await op.until_package(package, "cancelled")
    await op.until_view(released, status="cancelled", reservationStatus="released")

    cancelled = await op.reserve(item, 5)
    await op.act(await op.package_of(cancelled), "cancel", {"reason": "changed mind"})
    await op.until_reservation(cancelled, "released")

    expiring = await op.reserve(item, 5, ttlSeconds=1)
    expired_package = await op.package_of(expiring)
    await op.until_reservation(expiring, "expired")
    await op.until_package(expired_package, "cancelled")

    shipped = await op.reserve(item, 5)
    await op.act(await op.package_of(shipped), "dispatch", {"carrier": "DHL", "location": "x"})
    await op.until_reservation(shipped, "committed")
    refused = await op.client.post(f"{op.stack.inventory}/reservations/{shipped}/release")
    assert refused.status_code == 409, refused.text

    await op.until_item(item, quantity=25, reserved=0, shipped=5)


async def twelve_concurrent_outcomes(op: Operator) -> None:
    """Of twelve concurrent deliver/fail on one package, exactly one wins."""
    reservation = await op.reserve(await op.add_item(3), 1)
    package = await op.package_of(reservation)
    await op.act(package, "dispatch", {"carrier": "UPS", "location": "Lisbon hub"})
    url = f"{op.stack.logistics}/packages/{package['id']}"
    answers = await asyncio.gather(
        *(
            op.client.post(f"{url}/deliver", json={"signedBy": f"courier {n}"})
            if n % 2
            else op.client.post(f"{url}/fail", json={"reason": f"attempt {n} failed"})
            for n in range(12)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 11, [a.text for a in answers]
    final = (await op.client.get(url)).json()
    assert len(final["history"]) == 3  # registered, dispatched, one outcome
