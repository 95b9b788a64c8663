"""The dashboard's pages on the Backoffice API (embedded, AUTH=none), driven as an operator
would: stock and reservations through the Inventory API, the package's life through the
Logistics API, then the pages and fragments the browser asks for."""

import re
import uuid
from typing import Any

import httpx

from tests.acceptance.conftest import Apis

PAGES = ["/", "/dashboard/results", "/dashboard/analytics", "/dashboard/alerts"]


def rows(html: str) -> list[tuple[str, str]]:
    """(reservation id, status) of each listed package, in page order."""
    return re.findall(r'<tr data-reservation="([^"]+)" data-status="([^"]+)">', html)


async def an_item(apis: Apis, **extra: Any) -> str:
    item = str(uuid.uuid4())
    body = {"id": item, "name": "Camera Drone X", "quantity": 100, **extra}
    added = await apis.inventory.post("/stock-items", json=body)
    assert added.status_code == 201, added.text
    return item


async def reserve(apis: Apis, item: str, reservation: str, quantity: int = 2) -> None:
    body = {"quantity": quantity, "reservationId": reservation}
    reserved = await apis.inventory.put(f"/stock-items/{item}/reserve", json=body)
    assert reserved.status_code == 200, reserved.text
    await apis.settle()


async def step(apis: Apis, reservation: str, action: str, body: dict[str, Any]) -> None:
    found = await apis.logistics.get("/packages", params={"reservationId": reservation})
    package = found.json()["items"][0]["id"]
    answer = await apis.logistics.post(f"/packages/{package}/{action}", json=body)
    assert answer.status_code == 200, answer.text
    await apis.settle()


async def tracking_number(apis: Apis, reservation: str) -> str:
    number: str = (await apis.backoffice.get(f"/tracking/{reservation}")).json()["trackingNumber"]
    return number


async def test_the_packages_page_lists_the_latest_reservation_first(apis: Apis) -> None:
    item = await an_item(apis)
    await reserve(apis, item, "order-1")
    await reserve(apis, item, "order-2")

    page = await apis.backoffice.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert rows(page.text) == [("order-2", "registered"), ("order-1", "registered")]
    assert 'sse-connect="/dashboard/stream"' in page.text
    assert "Camera Drone X" in page.text


async def test_search_and_filters_narrow_the_results(apis: Apis) -> None:
    item = await an_item(apis, warehouse="BER-1")
    elsewhere = await an_item(apis, warehouse="HAM-1")
    for reservation in ("order-1", "order-2", "order-3"):
        await reserve(apis, item, reservation)
    await reserve(apis, elsewhere, "order-4")
    await step(apis, "order-2", "dispatch", {"carrier": "DHL", "location": "Depot"})
    await step(apis, "order-4", "dispatch", {"carrier": "UPS", "location": "Depot"})

    async def results(**params: str) -> list[tuple[str, str]]:
        answer = await apis.backoffice.get("/dashboard/results", params=params)
        assert answer.status_code == 200, answer.text
        return rows(answer.text)

    assert await results(q=await tracking_number(apis, "order-3")) == [("order-3", "registered")]
    assert ("order-1", "registered") in await results(q="order 1")  # or a tracking number "1…"
    assert len(await results(q="camera drone")) == 4
    assert await results(status="in_transit") == [
        ("order-4", "in_transit"),
        ("order-2", "in_transit"),
    ]
    assert await results(carrier=" DHL ") == [("order-2", "in_transit")]
    assert await results(warehouse="ham-1") == [("order-4", "in_transit")]
    assert len(await results(warehouse="BER-1")) == 3
    assert await results(warehouse="BER-1", carrier="UPS") == []
    assert len(await results(**{"from": "2000-01-01", "to": "9999-12-31"})) == 4
    assert await results(**{"from": "9000-01-01"}) == []


async def test_the_form_pushes_its_address_but_a_live_refresh_does_not(apis: Apis) -> None:
    form = await apis.backoffice.get(
        "/dashboard/results", params={"q": "drone", "page": "1"}, headers={"HX-Request": "true"}
    )
    live = await apis.backoffice.get(
        "/dashboard/results", headers={"HX-Request": "true", "HX-Trigger": "results"}
    )

    assert form.headers["HX-Push-Url"] == "/?q=drone&page=1"
    assert "HX-Push-Url" not in live.headers


async def test_results_come_a_page_at_a_time(apis: Apis) -> None:
    item = await an_item(apis)
    for n in range(21):
        await reserve(apis, item, f"order-{n:02d}", quantity=1)

    first = (await apis.backoffice.get("/")).text
    second = (await apis.backoffice.get("/", params={"page": "2"})).text

    assert len(rows(first)) == 20
    assert rows(second) == [("order-00", "registered")]
    assert "page 1 of 2" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


async def test_a_form_mistake_is_shown_next_to_the_form(apis: Apis) -> None:
    answer = await apis.backoffice.get(
        "/", params={"status": "lost", "from": "someday", "warehouse": "no such", "carrier": "\t"}
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "Status: &#39;lost&#39; is not a status" in answer.text
    assert "From: enter a date as YYYY-MM-DD" in answer.text
    assert "Warehouse: up to 20 letters" in answer.text
    assert 'role="alert"' in answer.text


async def test_a_package_page_shows_its_reservation_and_every_step_of_its_timeline(
    apis: Apis,
) -> None:
    item = await an_item(apis, warehouse="BER-1", sku="CD-X", lowStockThreshold=98)
    await reserve(apis, item, "order-9", quantity=3)
    await step(apis, "order-9", "dispatch", {"carrier": "DHL", "location": "Depot A"})
    await step(apis, "order-9", "checkpoints", {"location": "Hub Leipzig", "note": "sorted"})
    await step(apis, "order-9", "fail", {"reason": "nobody home", "location": "Main St 1"})
    await step(apis, "order-9", "dispatch", {"carrier": "UPS", "location": "Depot 7"})
    await step(apis, "order-9", "deliver", {"signedBy": "A. Customer"})

    page = (await apis.backoffice.get("/dashboard/tracking/order-9")).text

    steps = re.findall(r'<li data-status="([a-z_]+)">', page)
    assert steps == [
        "reserved",
        "registered",
        "in_transit",
        "in_transit",
        "delivery_failed",
        "in_transit",
        "delivered",
    ]
    for shown in (
        "attempt 1 · DHL · at Depot A",
        "at Hub Leipzig · sorted",
        "at Main St 1 · nobody home",
        "attempt 2 · UPS · at Depot 7",
        "signed by A. Customer",
        await tracking_number(apis, "order-9"),
        "committed",  # the reservation followed the first dispatch
        "Camera Drone X",
        "BER-1",
        "CD-X",
        '<dd data-figure="on-hand">97</dd>',  # 100 received, 3 left with the package
        '<dd data-figure="reserved">0</dd>',
        '<dd data-figure="shipped">3</dd>',
        "low: under 98",
    ):
        assert shown in page, shown
    stock = (await apis.inventory.get(f"/stock-items/{item}")).json()
    assert (stock["onHand"], stock["shipped"]) == (97, 3)  # as the Inventory API says
    assert 'sse-connect="/dashboard/stream?reservation=order-9"' in page


async def test_the_package_fragment_is_the_article_alone(apis: Apis) -> None:
    item = await an_item(apis)
    await reserve(apis, item, "order-9")

    fragment = await apis.backoffice.get(
        "/dashboard/tracking/order-9", headers={"HX-Request": "true", "HX-Trigger": "package"}
    )

    assert fragment.text.lstrip().startswith('<article id="package"')
    assert "<html" not in fragment.text


async def test_an_unknown_reservation_is_a_page_that_says_so(apis: Apis) -> None:
    for reservation in ("order-404", "not%20an%20id"):
        answer = await apis.backoffice.get(f"/dashboard/tracking/{reservation}")
        assert answer.status_code == 404
        assert "No such reservation" in answer.text


async def test_analytics_draw_bar_charts_with_their_figures(apis: Apis) -> None:
    item = await an_item(apis)
    await reserve(apis, item, "order-1")
    await reserve(apis, item, "order-2")
    await step(apis, "order-1", "dispatch", {"carrier": "DHL", "location": "Depot"})
    await step(apis, "order-1", "deliver", {"signedBy": "Ada"})

    page = (await apis.backoffice.get("/dashboard/analytics")).text

    charts = re.findall(r'<figure class="chart" id="chart-([a-z-]+)"', page)
    assert charts == ["by-status", "deliveries", "lead-time", "rates"]
    status_chart = page[page.index('id="chart-by-status"') : page.index('id="chart-deliveries"')]
    assert status_chart.count("<rect") == 2  # registered, delivered
    assert '<svg class="bars"' in status_chart
    assert 'role="img"' in status_chart
    assert "<title id=" in status_chart
    assert "registered: 1. delivered: 1." in status_chart
    assert "DHL failed" in page


async def test_low_stock_alerts_list_the_items_under_their_threshold(apis: Apis) -> None:
    low = await an_item(apis, warehouse="BER-1", sku="PX-9", lowStockThreshold=99)
    await an_item(apis, warehouse="HAM-1")
    await reserve(apis, low, "order-1")

    page = (await apis.backoffice.get("/dashboard/alerts")).text
    elsewhere = (await apis.backoffice.get("/dashboard/alerts", params={"warehouse": "ham-1"})).text
    wrong = await apis.backoffice.get("/dashboard/alerts", params={"warehouse": "no such!"})

    assert f'<tr data-stock-item="{low}">' in page
    assert "PX-9" in page
    assert "data-stock-item" not in elsewhere
    assert "No item is under its threshold in HAM-1" in elsewhere
    assert wrong.status_code == 422
    assert "Warehouse: up to 20 letters" in wrong.text
    assert 'id="sla-alerts"' in page


async def test_sla_breaches_are_listed_with_the_alerts(apis: Apis) -> None:
    item = await an_item(apis)
    await reserve(apis, item, "order-7")
    for _ in range(2):  # two failed attempts: a breach at once
        await step(apis, "order-7", "dispatch", {"carrier": "DHL", "location": "Depot"})
        await step(apis, "order-7", "fail", {"reason": "nobody home"})

    page = (await apis.backoffice.get("/dashboard/alerts")).text
    other_kind = await apis.backoffice.get("/dashboard/alerts", params={"kind": "stuck_registered"})
    wrong = await apis.backoffice.get("/dashboard/alerts", params={"kind": "late"})

    assert '<tr data-breach="repeated_failures" data-reservation="order-7">' in page
    assert 'href="/dashboard/tracking/order-7"' in page
    assert "data-breach" not in other_kind.text
    assert "No package broke a service level this way" in other_kind.text
    assert wrong.status_code == 422
    assert "Breach: &#39;late&#39; is not a kind of breach" in wrong.text


async def test_pages_are_not_part_of_the_api_schema_and_carry_a_strict_policy(
    apis: Apis,
) -> None:
    schema = (await apis.backoffice.get("/openapi.json")).json()

    assert not [path for path in schema["paths"] if path == "/" or "dashboard" in path]
    for path in PAGES:
        page = await apis.backoffice.get(path)
        assert page.status_code == 200, path
        assert "default-src 'self'" in page.headers["content-security-policy"], path
        assert page.headers["x-content-type-options"] == "nosniff", path


async def test_the_static_files_are_served_from_the_package(apis: Apis) -> None:
    for name, kind in [
        ("htmx.min.js", "javascript"),
        ("htmx-ext-sse.min.js", "javascript"),
        ("dashboard.js", "javascript"),
        ("dashboard.css", "text/css"),
    ]:
        answer = await apis.backoffice.get(f"/static/{name}")
        assert answer.status_code == 200, name
        assert kind in answer.headers["content-type"], name
    assert (await apis.backoffice.get("/static/nothing.js")).status_code == 404


async def test_every_page_works_without_htmx_as_plain_links(apis: Apis) -> None:
    """No JavaScript needed to read: every link and form target is a full page."""
    item = await an_item(apis)
    await reserve(apis, item, "order-1")
    targets: set[str] = set()
    for path in ["/", "/dashboard/tracking/order-1", "/dashboard/analytics"]:
        html = (await apis.backoffice.get(path)).text
        targets |= set(re.findall(r'(?:href|action)="(/[^"]*)"', html))

    client: httpx.AsyncClient = apis.backoffice
    for target in sorted(targets - {"/logout"}):
        answer = await client.get(target.replace("&amp;", "&"))
        assert answer.status_code == 200, target
        assert "<html" in answer.text or target.startswith("/static/"), target


async def test_a_method_a_page_does_not_have_names_the_ones_it_has(apis: Apis) -> None:
    page = await apis.backoffice.post("/")
    login = await apis.backoffice.delete("/login")

    assert (page.status_code, page.headers["allow"]) == (405, "GET, HEAD")
    assert (login.status_code, login.headers["allow"]) == (405, "GET, HEAD, POST")
