"""Bad input gets a precise 4xx problem document, never a 500, never a partial write."""

import asyncio

import asyncpg
import httpx
import pytest

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.apps import create_health_app, create_inventory_app
from tests.acceptance.conftest import Apis
from tests.acceptance.problems import assert_problem
from tests.services import RABBITMQ_URL, unavailable
from tests.waiting import eventually

ITEM = "550e8400-e29b-41d4-a716-446655440000"
VALID_ITEM = {"id": ITEM, "name": "iPhone 15 Pro", "quantity": 10}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "quantity": 1},
        {"id": ITEM, "quantity": 1},
        {"id": ITEM, "name": "x"},
        {"id": "not-a-uuid", "name": "x", "quantity": 1},
        {"id": ITEM, "name": "x", "quantity": -1},
        {"id": ITEM, "name": "x", "quantity": 1.5},
        {"id": ITEM, "name": "x", "quantity": "10"},
        {"id": ITEM, "name": "x", "quantity": True},
        {"id": ITEM, "name": "x", "quantity": 10**12},
        {"id": ITEM, "name": "", "quantity": 1},
        {"id": ITEM, "name": "   ", "quantity": 1},
        {"id": ITEM, "name": "a\u0000b", "quantity": 1},
        {"id": ITEM, "name": "iPhone\n", "quantity": 1},
        {"id": ITEM, "name": "x" * 100_000, "quantity": 1},
        {"id": ITEM, "name": 42, "quantity": 1},
        {"id": ITEM, "name": None, "quantity": 1},
        [],
        "just a string",
        None,
    ],
)
async def test_adding_malformed_stock_is_unprocessable(apis: Apis, body: object) -> None:
    assert_problem(await apis.inventory.post("/stock-items", json=body), 422)
    assert (await apis.inventory.get("/stock-items")).json()["total"] == 0


async def test_an_integral_float_is_a_whole_number(apis: Apis) -> None:
    # JSON Schema's integer counts 10.0 in; true and "10" stay refused (above).
    added = await apis.inventory.post("/stock-items", json={**VALID_ITEM, "quantity": 10.0})
    assert (added.status_code, added.json()["quantity"]) == (201, 10)


@pytest.mark.parametrize("raw", [b"not json", b'{"id": ', b"\xff\xfe", b""])
async def test_a_body_that_is_not_json_is_unprocessable(apis: Apis, raw: bytes) -> None:
    response = await apis.inventory.post(
        "/stock-items", content=raw, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"reservationId": "order-1"},
        {"quantity": 1},
        {"quantity": 0, "reservationId": "order-1"},
        {"quantity": -5, "reservationId": "order-1"},
        {"quantity": "1", "reservationId": "order-1"},
        {"quantity": 1, "reservationId": ""},
        {"quantity": 1, "reservationId": "has spaces"},
        {"quantity": 1, "reservationId": "x" * 101},
        {"quantity": 1, "reservationId": 12345},
    ],
)
async def test_reserving_with_malformed_input_is_unprocessable(apis: Apis, body: object) -> None:
    await apis.inventory.post("/stock-items", json=VALID_ITEM)
    assert_problem(await apis.inventory.put(f"/stock-items/{ITEM}/reserve", json=body), 422)
    item = (await apis.inventory.get(f"/stock-items/{ITEM}")).json()
    assert (item["quantity"], item["reserved"]) == (10, 0)


async def test_a_malformed_id_in_the_path_is_unprocessable(apis: Apis) -> None:
    assert_problem(await apis.inventory.get("/stock-items/not-a-uuid"), 422)
    response = await apis.inventory.put(
        "/stock-items/not-a-uuid/reserve", json={"quantity": 1, "reservationId": "o"}
    )
    assert_problem(response, 422)


async def test_an_unknown_item_is_not_found(apis: Apis) -> None:
    assert_problem(await apis.inventory.get(f"/stock-items/{ITEM}"), 404)
    response = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve", json={"quantity": 1, "reservationId": "order-1"}
    )
    assert_problem(response, 404)


async def test_adding_an_existing_id_is_a_conflict(apis: Apis) -> None:
    await apis.inventory.post("/stock-items", json=VALID_ITEM)
    body = assert_problem(
        await apis.inventory.post("/stock-items", json={**VALID_ITEM, "name": "other"}), 409
    )
    assert ITEM in body["detail"]
    assert (await apis.inventory.get(f"/stock-items/{ITEM}")).json()["name"] == "iPhone 15 Pro"


async def test_insufficient_stock_is_a_conflict_and_changes_nothing(apis: Apis) -> None:
    await apis.inventory.post("/stock-items", json=VALID_ITEM)
    response = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve", json={"quantity": 11, "reservationId": "order-1"}
    )
    assert assert_problem(response, 409)["title"] == "Insufficient stock"
    await apis.settle()
    item = (await apis.inventory.get(f"/stock-items/{ITEM}")).json()
    assert (item["quantity"], item["reserved"]) == (10, 0)
    assert_problem(await apis.backoffice.get("/tracking/order-1"), 404)


async def test_reusing_a_reservation_id_with_another_quantity_is_a_conflict(apis: Apis) -> None:
    await apis.inventory.post("/stock-items", json=VALID_ITEM)
    await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve", json={"quantity": 2, "reservationId": "order-1"}
    )
    response = await apis.inventory.put(
        f"/stock-items/{ITEM}/reserve", json={"quantity": 3, "reservationId": "order-1"}
    )
    assert_problem(response, 409)
    item = (await apis.inventory.get(f"/stock-items/{ITEM}")).json()
    assert (item["quantity"], item["reserved"]) == (8, 2)


async def test_an_oversized_body_is_refused_before_parsing(apis: Apis) -> None:
    response = await apis.inventory.post(
        "/stock-items",
        content=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "params", [{"page": 0}, {"page": "x"}, {"size": 0}, {"size": 101}, {"size": -1}]
)
async def test_bad_paging_is_unprocessable(apis: Apis, params: dict[str, object]) -> None:
    assert_problem(await apis.inventory.get("/stock-items", params=params), 422)


async def test_unknown_tracking_is_not_found_and_malformed_is_unprocessable(apis: Apis) -> None:
    assert_problem(await apis.backoffice.get("/tracking/order-unknown"), 404)
    assert_problem(await apis.backoffice.get("/tracking/has space"), 422)
    assert_problem(await apis.backoffice.get("/tracking", params={"status": "lost"}), 422)


async def test_unknown_routes_and_methods_are_problems_too(apis: Apis) -> None:
    assert_problem(await apis.inventory.get("/nowhere"), 404)
    assert_problem(await apis.inventory.delete(f"/stock-items/{ITEM}"), 405)
    # The path has a route per method: the header lists them all, not the first found.
    wrong_method = await apis.inventory.delete("/stock-items")
    assert_problem(wrong_method, 405)
    assert wrong_method.headers["allow"] == "GET, HEAD, POST"


async def test_an_unreachable_database_is_a_503_not_a_500() -> None:
    platform = await bootstrap(
        Settings(database_url="postgresql://nobody@127.0.0.1:9/nowhere", rabbitmq_url="amqp://x"),
        migrate=False,
    )
    app = create_inventory_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.put(
            f"/stock-items/{ITEM}/reserve", json={"quantity": 1, "reservationId": "order-1"}
        )
    await platform.close()
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "1"


async def test_a_database_dropping_its_connections_costs_no_request(
    postgres_url: str,
) -> None:
    platform = await bootstrap(
        Settings(database_url=postgres_url, rabbitmq_url="amqp://x"), migrate=True
    )
    app = create_inventory_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def reserve(reservation: str) -> httpx.Response:
                body = {"quantity": 1, "reservationId": reservation}
                return await client.put(f"/stock-items/{ITEM}/reserve", json=body)

            added = await client.post(
                "/stock-items", json={"id": ITEM, "name": "Pixel 9", "quantity": 100}
            )
            assert added.status_code == 201
            # Several pooled connections, all of which the server then drops (as a restart does).
            warm = await asyncio.gather(*(reserve(f"warm-{n}") for n in range(5)))
            assert [response.status_code for response in warm] == [200] * 5
            admin = await asyncpg.connect(postgres_url)
            others = (
                "FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            await admin.execute(f"SELECT pg_terminate_backend(pid) {others}")

            async def all_gone() -> bool:
                return await admin.fetchval(f"SELECT count(*) {others}") == 0

            await eventually(all_gone, what="the dropped connections' backends to end")
            await admin.close()
            statuses = [(await reserve(f"after-{n}")).status_code for n in range(6)]
    finally:
        await platform.close()
    # The first finds its pooled connection dropped: the pool is replaced, and it goes on.
    assert statuses == [200] * 6


async def test_the_health_service_reports_an_unreachable_broker_with_503(sqlite_url: str) -> None:
    platform = await bootstrap(
        Settings(database_url=sqlite_url, rabbitmq_url="amqp://guest:guest@127.0.0.1:9/"),
        migrate=True,
    )
    app = create_health_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/health")
    await platform.close()
    assert response.status_code == 503
    assert response.json()["services"] == {"sqlite": "ok", "rabbitmq": "error"}


async def test_the_health_service_reports_a_reachable_broker_as_ok(sqlite_url: str) -> None:
    platform = await bootstrap(
        Settings(database_url=sqlite_url, rabbitmq_url=RABBITMQ_URL), migrate=True
    )
    app = create_health_app(platform)
    app.state.platform = platform
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/health")
    await platform.close()
    if response.status_code != 200:
        unavailable(f"RabbitMQ is not reachable at {RABBITMQ_URL}")
    assert response.json()["services"] == {"sqlite": "ok", "rabbitmq": "ok"}
