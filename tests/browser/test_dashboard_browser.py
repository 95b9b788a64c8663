"""The dashboard in a real browser: reservations and status changes appear without a
reload, search and filters, a package's page, the charts, the keyboard, a phone's screen,
and signing in with AUTH=jwt."""

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.auth import mint_token
from tests.browser.conftest import SECRET
from tests.served import Served
from tests.waiting import PROPAGATION, wait_until

pytestmark = pytest.mark.system

WAIT_MS = PROPAGATION * 1000
Screenshot = Callable[[Page, str], Path]


class Operator:
    """What happens elsewhere while the page is open: calls to the write APIs."""

    def __init__(self, served: Served, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(timeout=30, headers=headers)
        self.served = served

    def add_item(self, name: str = "Camera Drone X") -> str:
        item = str(uuid.uuid4())
        body = {"id": item, "name": name, "quantity": 100}
        answer = self.http.post(f"{self.served.url('inventory')}/stock-items", json=body)
        assert answer.status_code == 201, answer.text
        return item

    def reserve(self, item: str, quantity: int = 1) -> str:
        reservation = f"order-{uuid.uuid4().hex[:10]}"
        body = {"quantity": quantity, "reservationId": reservation}
        url = f"{self.served.url('inventory')}/stock-items/{item}/reserve"
        answer = self.http.put(url, json=body)
        assert answer.status_code == 200, answer.text
        return reservation

    def package(self, reservation: str) -> dict[str, Any]:
        def registered() -> dict[str, Any] | None:
            url = f"{self.served.url('logistics')}/packages"
            items: list[dict[str, Any]] = self.http.get(
                url, params={"reservationId": reservation}
            ).json()["items"]
            return items[0] if items else None

        return wait_until(registered, what=f"the package of {reservation}")

    def wait_for_view(self, reservation: str, status: str) -> None:
        """The dashboard reads the tracking views, which follow the write side a moment
        later: a page that is not live shows what was there when it loaded."""

        def shown() -> bool:
            url = f"{self.served.url('backoffice')}/tracking/{reservation}"
            answer = self.http.get(url)
            return answer.status_code == 200 and answer.json()["status"] == status

        wait_until(shown, what=f"the view of {reservation} to say {status}")

    def act(self, reservation: str, action: str, body: dict[str, Any]) -> None:
        package = self.package(reservation)["id"]
        url = f"{self.served.url('logistics')}/packages/{package}/{action}"
        answer = self.http.post(url, json=body)
        assert answer.status_code == 200, answer.text


def open_live(page: Page, url: str) -> None:
    """Open ``url`` and wait until its event stream is connected; mark the document, so
    that a reload (which would lose the mark) shows."""
    page.goto(url)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=WAIT_MS)
    page.evaluate("window.notReloaded = true")


def not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.notReloaded === true"))


def row(page: Page, reservation: str) -> Any:
    return page.locator(f'tr[data-reservation="{reservation}"]')


def test_a_reservation_appears_and_its_status_changes_without_a_reload(
    page: Page, served: Served, screenshot: Screenshot
) -> None:
    operator = Operator(served)
    item = operator.add_item()
    open_live(page, served.url("backoffice"))

    reservation = operator.reserve(item)
    expect(row(page, reservation)).to_have_attribute("data-status", "registered", timeout=WAIT_MS)
    expect(page.locator("tbody tr").first).to_have_attribute("data-reservation", reservation)
    screenshot(page, "packages-new-reservation")

    operator.act(reservation, "dispatch", {"carrier": "DHL", "location": "Depot A"})
    expect(row(page, reservation)).to_have_attribute("data-status", "in_transit", timeout=WAIT_MS)
    expect(row(page, reservation).locator('[data-label="Carrier"]')).to_have_text("DHL")
    operator.act(reservation, "deliver", {"signedBy": "A. Customer"})
    expect(row(page, reservation)).to_have_attribute("data-status", "delivered", timeout=WAIT_MS)
    assert not_reloaded(page)
    screenshot(page, "packages-delivered")


def test_a_package_page_follows_its_timeline_live(
    page: Page, served: Served, screenshot: Screenshot
) -> None:
    operator = Operator(served)
    reservation = operator.reserve(operator.add_item(), quantity=2)
    operator.package(reservation)
    open_live(page, served.url("backoffice"))
    page.get_by_role("link", name=reservation).click()
    expect(page).to_have_url(f"{served.url('backoffice')}/dashboard/tracking/{reservation}")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=WAIT_MS)
    page.evaluate("window.notReloaded = true")

    operator.act(reservation, "dispatch", {"carrier": "UPS", "location": "Depot 7"})
    operator.act(reservation, "checkpoints", {"location": "Hub Leipzig", "note": "sorted"})
    steps = page.locator("ol.timeline li")
    expect(steps).to_have_count(4, timeout=WAIT_MS)
    expect(steps.nth(2)).to_contain_text("attempt 1 · UPS · at Depot 7")
    expect(steps.nth(3)).to_contain_text("at Hub Leipzig · sorted")
    expect(page.locator("h1 .status")).to_have_text("in transit")
    assert not_reloaded(page)
    screenshot(page, "package-page")


def test_search_and_filters_narrow_the_list_and_keep_the_address(
    page: Page, served: Served, screenshot: Screenshot
) -> None:
    operator = Operator(served)
    item = operator.add_item(name=f"Kettle {uuid.uuid4().hex[:6]}")
    kept, moved = operator.reserve(item), operator.reserve(item)
    operator.act(moved, "dispatch", {"carrier": "DHL", "location": "Depot"})
    number = operator.package(kept)["trackingNumber"]
    open_live(page, served.url("backoffice"))

    page.get_by_label("Search").fill(number)
    expect(page.locator("tbody tr")).to_have_count(1, timeout=WAIT_MS)
    expect(row(page, kept)).to_be_visible()
    expect(page).to_have_url(f"{served.url('backoffice')}/?q={number}&page=1")

    page.get_by_label("Search").fill(moved)
    page.get_by_label("Status").select_option("in_transit")
    expect(page.locator("tbody tr")).to_have_count(1, timeout=WAIT_MS)
    expect(row(page, moved)).to_have_attribute("data-status", "in_transit", timeout=WAIT_MS)
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Warehouse").fill("main")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"carrier=DHL&warehouse=MAIN"), timeout=WAIT_MS)
    expect(row(page, moved)).to_be_visible()
    page.get_by_label("Status").select_option("delivered")
    expect(page.get_by_text("No package matches.")).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "packages-filtered")

    page.reload()  # the pushed address holds the filters
    expect(page.get_by_label("Status")).to_have_value("delivered")
    expect(page.get_by_label("Search")).to_have_value(moved)
    expect(page.get_by_label("Warehouse")).to_have_value("MAIN")


def test_the_analytics_charts_render(page: Page, served: Served, screenshot: Screenshot) -> None:
    operator = Operator(served)
    reservation = operator.reserve(operator.add_item())
    operator.act(reservation, "dispatch", {"carrier": "DHL", "location": "Depot"})
    operator.act(reservation, "deliver", {"signedBy": "Ada"})
    operator.wait_for_view(reservation, "delivered")

    page.goto(f"{served.url('backoffice')}/dashboard/analytics")

    for chart in ("by-status", "deliveries", "lead-time", "rates"):
        expect(page.locator(f"#chart-{chart} svg.bars")).to_be_visible()
        assert page.locator(f"#chart-{chart} svg.bars rect").count() >= 1, chart
    longest = page.locator("#chart-by-status svg.bars rect").first.bounding_box()
    assert longest is not None
    assert longest["width"] > 10
    expect(page.get_by_role("img", name="Packages by status")).to_be_visible()
    screenshot(page, "analytics")


def test_the_search_and_filters_are_labelled_and_reachable_by_keyboard(
    page: Page, served: Served
) -> None:
    open_live(page, served.url("backoffice"))
    wanted = {"q", "status", "carrier", "warehouse", "from", "to"}
    reached: list[str] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if wanted <= set(reached):
            break

    assert reached[0] == "A"  # the skip link comes first
    assert wanted <= set(reached), reached
    for name in ("Search", "Status", "Carrier", "Warehouse", "Reserved from", "Reserved until"):
        expect(page.get_by_label(name, exact=True)).to_be_visible()
    page.get_by_label("Search").press("Enter")  # the form submits from the keyboard


def test_on_a_phone_the_pages_fit_the_screen(
    page: Page, served: Served, screenshot: Screenshot
) -> None:
    operator = Operator(served)
    reservation = operator.reserve(operator.add_item())
    operator.wait_for_view(reservation, "registered")
    page.set_viewport_size({"width": 390, "height": 844})

    for path, name in [
        ("/", "phone-packages"),
        (f"/dashboard/tracking/{reservation}", "phone-package"),
        ("/dashboard/analytics", "phone-analytics"),
    ]:
        page.goto(f"{served.url('backoffice')}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        screenshot(page, name)


def test_signing_in_with_a_token_keeps_it_out_of_urls_and_scripts(
    page: Page, secured: Served, screenshot: Screenshot, console: list[str]
) -> None:
    settings = Settings(auth="jwt", jwt_secret=SECRET)
    reader = mint_token(settings, ["backoffice:read"], subject="operator", ttl_seconds=600)
    writer = mint_token(settings, ["admin"], subject="operator", ttl_seconds=600)
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))

    page.goto(secured.url("backoffice"))
    expect(page).to_have_url(f"{secured.url('backoffice')}/login")
    page.get_by_label("Access token").fill("not a token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    assert [error for error in console if "401" in error]  # the refusal's status
    console.clear()
    screenshot(page, "login-refused")
    page.get_by_label("Access token").fill(reader)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{secured.url('backoffice')}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=WAIT_MS)
    operator = Operator(secured, token=writer)
    reservation = operator.reserve(operator.add_item())
    expect(row(page, reservation)).to_be_visible(timeout=WAIT_MS)  # the stream opened too
    (cookie,) = page.context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert reader not in page.evaluate("document.cookie")
    assert not [url for url in visited if reader in url]

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{secured.url('backoffice')}/login")
    page.goto(secured.url("backoffice"))
    expect(page).to_have_url(f"{secured.url('backoffice')}/login")
