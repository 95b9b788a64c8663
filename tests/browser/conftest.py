"""Headless Chromium (Debian's ``chromium`` package, driven by Playwright; no browser is
downloaded) against `logistics serve` processes; screenshots land in var/screenshots/."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.served import Served, serve
from tests.services import unavailable

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SECRET = "a-browser-test-secret-long-enough-for-hs256"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module: Playwright's synchronous API keeps an event loop running while it is
    open, which the asyncio tests of other modules (in the same worker) must not meet."""
    if shutil.which(CHROMIUM) is None:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def console() -> list[str]:
    """The errors the page logged (a test clears those it caused on purpose)."""
    return []


@pytest.fixture
def page(browser: Browser, console: list[str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) and its page; console errors fail the test
    (a script or style the page's policy refused, a failed request)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.on("console", lambda message: _error(console, message.type, message.text))
    opened.on("pageerror", lambda error: console.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert not console, f"the page logged errors: {console}"


def _error(console: list[str], kind: str, text: str) -> None:
    if kind == "error":
        console.append(text)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One platform per module, AUTH=none: tests use their own items and reservations."""
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("secured"), AUTH="jwt", JWT_SECRET=SECRET) as running:
        yield running


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Saves a page's screenshot as var/screenshots/<name>.png (kept by CI)."""

    def save(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
