"""Webhooks through the Backoffice API (embedded platform, on SQLite and PostgreSQL): managing
subscriptions, the delivery log, and an Inventory reservation arriving signed at a real
receiver."""

import asyncio
import sqlite3
import uuid
from typing import Any

import httpx
import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.apps import create_backoffice_app
from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem
from tests.receiver import Receiver, dispatching
from tests.waiting import eventually

RESERVED = "inventory.stock_item.reserved"


@pytest.fixture
def platform(webhook_platform: Platform) -> Platform:
    """The APIs' platform, allowed to call the receiver."""
    return webhook_platform


async def create(apis: Apis, url: str, *events: str, **more: Any) -> dict[str, Any]:
    body = {"url": url, "eventTypes": list(events or [RESERVED]), **more}
    response = await apis.backoffice.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/webhooks/{response.json()['id']}"
    created: dict[str, Any] = response.json()
    return created


async def test_a_webhook_s_secret_is_shown_once_and_it_can_be_listed_and_deleted(
    apis: Apis,
) -> None:
    created = await create(apis, "http://127.0.0.1:9/hooks", RESERVED, "*")
    assert created["secret"].startswith("whsec_")
    assert created["eventTypes"] == ["*", RESERVED]
    shown = (await apis.backoffice.get(f"/webhooks/{created['id']}")).json()
    assert shown == {k: v for k, v in created.items() if k != "secret"}
    listed = (await apis.backoffice.get("/webhooks")).json()
    assert (listed["items"], listed["total"]) == ([shown], 1)
    assert (await apis.backoffice.delete(f"/webhooks/{created['id']}")).status_code == 204
    assert_problem(await apis.backoffice.get(f"/webhooks/{created['id']}"), 404)
    assert_problem(await apis.backoffice.delete(f"/webhooks/{created['id']}"), 404)


async def test_a_given_secret_is_kept(apis: Apis) -> None:
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"  # 24 bytes
    assert (await create(apis, "https://a.example/h", secret=secret))["secret"] == secret


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://a.example/h", "eventTypes": ["logistics.package.teleported"]},
        {"url": "https://a.example/h", "eventTypes": []},
        {"url": "ftp://a.example/h", "eventTypes": [RESERVED]},
        {"url": "https://me:pw@a.example/h", "eventTypes": [RESERVED]},
        {"url": "https://a.example/h", "eventTypes": [RESERVED], "secret": "hunter2"},
        {"eventTypes": [RESERVED]},
    ],
)
async def test_a_bad_webhook_is_refused_and_nothing_is_stored(
    apis: Apis, body: dict[str, Any]
) -> None:
    assert_problem(await apis.backoffice.post("/webhooks", json=body), 422)
    assert (await apis.backoffice.get("/webhooks")).json()["total"] == 0


async def test_unknown_webhooks_and_deliveries_are_404(apis: Apis) -> None:
    missing = str(uuid.uuid4())
    assert_problem(await apis.backoffice.get(f"/webhooks/{missing}/deliveries"), 404)
    created = await create(apis, "http://127.0.0.1:9/hooks")
    redeliver = f"/webhooks/{created['id']}/deliveries/msg_{uuid.uuid4().hex}/redeliver"
    assert_problem(await apis.backoffice.post(redeliver), 404)
    assert_problem(await apis.backoffice.get("/webhooks/not-an-id"), 422)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_webhooks_are_read_while_another_process_holds_the_write_lock(apis: Apis) -> None:
    webhook = await create(apis, "http://127.0.0.1:9/hooks")
    reads = ["/webhooks", f"/webhooks/{webhook['id']}", f"/webhooks/{webhook['id']}/deliveries"]
    writer = sqlite3.connect(apis.platform.engine.url.database or "", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what another process's transaction does first
        for path in reads:
            read = await asyncio.wait_for(apis.backoffice.get(path), timeout=10)
            assert read.status_code == 200, read.text
    finally:
        writer.close()


async def test_a_reservation_arrives_signed_at_the_receiver_and_in_the_log(apis: Apis) -> None:
    async with Receiver(lambda n: 500 if n == 0 else 204).running() as receiver:
        webhook = await create(apis, receiver.url)
        async with dispatching(apis.platform):
            item = await _stock_item(apis)
            reserved = await apis.inventory.put(
                f"/stock-items/{item}/reserve", json={"quantity": 2, "reservationId": "order-7"}
            )
            assert reserved.status_code == 200, reserved.text
            await apis.settle()
            log = f"/webhooks/{webhook['id']}/deliveries"

            async def delivered() -> list[dict[str, Any]]:
                found = (await apis.backoffice.get(log, params={"status": "delivered"})).json()
                items: list[dict[str, Any]] = found["items"]
                return items

            (delivery,) = await eventually(delivered, what="the delivery")
            again = await apis.backoffice.post(f"{log}/{delivery['id']}/redeliver")
            assert again.status_code == 202, again.text
            assert again.json()["status"] == "pending"
            await eventually(lambda: _count(receiver, 3), what="the redelivery")
    assert delivery["eventType"] == RESERVED
    assert (delivery["attempts"], delivery["lastStatusCode"]) == (2, 204)
    payloads = [request.verified(webhook["secret"]) for request in receiver.requests]
    assert {request.headers["webhook-id"] for request in receiver.requests} == {delivery["id"]}
    assert payloads[0]["type"] == RESERVED
    assert payloads[0]["data"]["reservationId"] == "order-7"
    assert payloads[0]["data"]["aggregateId"] == item


async def _count(receiver: Receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def _stock_item(apis: Apis) -> str:
    id = str(uuid.uuid4())
    body = {"id": id, "name": "Pixel 9", "quantity": 10}
    assert (await apis.inventory.post("/stock-items", json=body)).status_code == 201
    return id


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://10.0.0.8/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hooks",
    ],
)
async def test_by_default_a_webhook_to_an_internal_address_is_refused(
    sqlite_url: str, url: str
) -> None:
    platform = await bootstrap(Settings(database_url=sqlite_url, rabbitmq_url=None))
    app = create_backoffice_app(platform)
    app.state.platform = platform  # the lifespan would set it; the routes need only this
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            refused = await client.post("/webhooks", json={"url": url, "eventTypes": ["*"]})
            body = assert_problem(refused, 422)
            assert "not a public address" in body["detail"]
            assert (await client.get("/webhooks")).json()["total"] == 0
    finally:
        await platform.close()


async def test_an_ipv6_literal_is_refused_by_the_schema(apis: Apis) -> None:
    body = {"url": "http://[::1]/hooks", "eventTypes": ["*"]}
    assert_problem(await apis.backoffice.post("/webhooks", json=body), 422)
