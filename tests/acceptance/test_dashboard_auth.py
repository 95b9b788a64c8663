"""The dashboard with AUTH=jwt: an operator signs in by pasting a token into a form; the
token is kept in an HttpOnly, SameSite=Strict cookie that opens the pages (GET) and
nothing else, expires with the token, never travels in a URL, and is cleared on sign-out."""

from collections.abc import AsyncIterator
from http.cookies import SimpleCookie

import httpx
import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.apps import create_backoffice_app
from logistics_platform.entrypoints.http.auth import mint_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
PAGES = ["/", "/dashboard/results", "/dashboard/analytics", "/dashboard/alerts"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def secured(sqlite_url: str) -> AsyncIterator[Platform]:
    settings = Settings(database_url=sqlite_url, rabbitmq_url=None, auth="jwt", jwt_secret=SECRET)
    platform = await bootstrap(settings, migrate=True)
    try:
        yield platform
    finally:
        await platform.close()


def client(platform: Platform, base_url: str = "http://test") -> httpx.AsyncClient:
    app = create_backoffice_app(platform)
    app.state.platform = platform  # the lifespan would set it; the routes need only this
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def token(platform: Platform, roles: list[str], ttl: int = 600) -> str:
    return mint_token(platform.settings, roles, subject="operator", ttl_seconds=ttl)


def session_cookie(answer: httpx.Response) -> dict[str, str]:
    """The Set-Cookie of the session: its value and attributes (lower-cased names)."""
    (header,) = answer.headers.get_list("set-cookie")
    morsel = SimpleCookie(header)["logistics_session"]
    flags = {flag for flag in ("httponly", "secure") if f"; {flag}" in header.lower()}
    return {"value": morsel.value, **{k: v for k, v in morsel.items() if v}, **dict.fromkeys(flags)}


async def test_without_a_session_pages_send_the_browser_to_the_login_form(
    secured: Platform,
) -> None:
    async with client(secured) as browser:
        for path in PAGES:
            answer = await browser.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/login", path
        htmx = await browser.get("/dashboard/results", headers={"HX-Request": "true"})
        stream = await browser.get("/dashboard/stream", headers={"Accept": "text/event-stream"})
        form = await browser.get("/login")

    assert (htmx.status_code, htmx.headers["HX-Redirect"]) == (401, "/login")
    assert stream.status_code == 401
    assert stream.headers["content-type"] == "application/problem+json"
    assert form.status_code == 200
    assert '<form method="post" action="/login"' in form.text
    assert 'type="password"' in form.text


async def test_signing_in_keeps_the_token_in_a_strict_http_only_cookie_until_it_expires(
    secured: Platform,
) -> None:
    pasted = token(secured, ["backoffice:read"], ttl=600)
    async with client(secured) as browser:
        signed_in = await browser.post("/login", content=f"token={pasted}", headers=FORM)
        pages = [await browser.get(path) for path in PAGES]

    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/"  # the token is in no URL
    cookie = session_cookie(signed_in)
    assert cookie["value"] == pasted
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/"
    assert 590 <= int(cookie["max-age"]) <= 600  # no later than the token's expiry
    assert "secure" not in cookie  # plain http here: see the next test
    assert [page.status_code for page in pages] == [200] * len(PAGES)
    assert 'action="/logout"' in pages[0].text


async def test_over_https_the_cookie_is_secure(secured: Platform) -> None:
    pasted = token(secured, ["admin"])
    async with client(secured, base_url="https://test") as browser:
        signed_in = await browser.post(
            "/login", content=f"token={pasted}", headers={**FORM, "Origin": "https://test"}
        )

    assert signed_in.status_code == 303
    assert "secure" in session_cookie(signed_in)


@pytest.mark.parametrize(
    "pasted",
    ["not-a-token", "expired", "without-the-role", ""],
)
async def test_a_token_that_does_not_open_the_dashboard_is_refused_on_the_form(
    secured: Platform, pasted: str
) -> None:
    tokens = {
        "expired": token(secured, ["backoffice:read"], ttl=-3600),
        "without-the-role": token(secured, ["inventory:write", "logistics:operate"]),
    }
    async with client(secured) as browser:
        answer = await browser.post(
            "/login", content=f"token={tokens.get(pasted, pasted)}", headers=FORM
        )
        after = await browser.get("/")

    assert answer.status_code == 401
    assert "set-cookie" not in answer.headers
    assert 'role="alert"' in answer.text
    assert after.status_code == 303


async def test_the_cookie_opens_pages_only_never_the_api_or_a_write(secured: Platform) -> None:
    cookie = {"Cookie": f"logistics_session={token(secured, ['admin'])}"}
    async with client(secured) as browser:
        page = await browser.get("/", headers=cookie)
        api = await browser.get("/tracking", headers=cookie)
        logout_elsewhere = await browser.post(
            "/logout", headers={**cookie, "Origin": "https://evil.example"}
        )

    assert page.status_code == 200
    assert api.status_code == 401  # the JSON API takes bearer tokens only
    assert logout_elsewhere.status_code == 403


async def test_a_form_posted_from_another_site_is_refused(secured: Platform) -> None:
    pasted = token(secured, ["backoffice:read"])
    async with client(secured) as browser:
        answer = await browser.post(
            "/login",
            content=f"token={pasted}",
            headers={**FORM, "Origin": "https://evil.example"},
        )

    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


async def test_an_expired_session_sends_the_browser_back_to_the_form(secured: Platform) -> None:
    stale = token(secured, ["backoffice:read"], ttl=-3600)
    async with client(secured) as browser:
        answer = await browser.get("/", headers={"Cookie": f"logistics_session={stale}"})

    assert answer.status_code == 303


async def test_a_bearer_token_opens_the_pages_too(secured: Platform) -> None:
    bearer = {"Authorization": f"Bearer {token(secured, ['backoffice:read'])}"}
    async with client(secured) as browser:
        answers = [await browser.get(path, headers=bearer) for path in PAGES]

    assert [answer.status_code for answer in answers] == [200] * len(PAGES)


async def test_signing_out_clears_the_cookie(secured: Platform) -> None:
    async with client(secured) as browser:
        pasted = token(secured, ["backoffice:read"])
        await browser.post("/login", content=f"token={pasted}", headers=FORM)
        assert (await browser.get("/")).status_code == 200
        signed_out = await browser.post("/logout")
        after = await browser.get("/")

    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login"
    cookie = session_cookie(signed_out)
    assert cookie["value"] == ""
    assert int(cookie["max-age"]) <= 0 or "expires" in cookie
    assert after.status_code == 303


async def test_the_form_takes_form_encoded_bodies_only(secured: Platform) -> None:
    pasted = token(secured, ["backoffice:read"])
    async with client(secured) as browser:
        answer = await browser.post("/login", json={"token": pasted})

    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"


async def test_with_auth_off_the_pages_are_open_and_the_form_is_not_needed(
    platform: Platform,
) -> None:
    async with client(platform) as browser:
        page = await browser.get("/")
        form = await browser.get("/login")

    assert page.status_code == 200
    assert 'action="/logout"' not in page.text
    assert (form.status_code, form.headers["location"]) == (303, "/")
