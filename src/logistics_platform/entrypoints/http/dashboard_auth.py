"""Who looks at the dashboard. With ``AUTH=jwt`` an operator signs in by pasting a token
(``logistics token --role backoffice:read`` mints one) into the login form; the token then
travels in a cookie the page's scripts cannot read (HttpOnly), that no other site's request
carries (SameSite=Strict), that expires with the token, and that is honoured on GET only:
it opens pages, never a write, so it gives a forged request nothing to do. A bearer header
works as well. With ``AUTH=none`` the pages are open."""

import time
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.auth import (
    ANONYMOUS,
    SAFE_METHODS,
    InvalidToken,
    KeysUnavailable,
    Principal,
    Role,
    count_the_call,
    verified,
)
from logistics_platform.entrypoints.http.dashboard_pages import render
from logistics_platform.entrypoints.http.problems import problem

SESSION_COOKIE = "logistics_session"
READERS = frozenset({Role.BACKOFFICE_READ, Role.ADMIN})
MAX_TOKEN_LENGTH = 8192
LOGIN = "/login"

router = APIRouter(include_in_schema=False)


class SignInRequired(Exception):
    """No token, or one that does not open the dashboard."""


async def viewer(request: Request) -> Principal:
    """The operator behind the request, counted against their rate limit."""
    settings: Settings = request.app.state.platform.settings
    if settings.auth == "none":
        await count_the_call(request, "client", f"address:{_address(request)}")
        return ANONYMOUS
    token = _token(request)
    if token is None:
        raise SignInRequired
    principal = await _reader(request, settings, token)
    if principal is None:
        raise SignInRequired
    await count_the_call(request, "client", f"subject:{principal.subject}")
    return principal


Viewer = Annotated[Principal, Depends(viewer)]


def _token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE) if request.method in SAFE_METHODS else None


async def _reader(request: Request, settings: Settings, token: str) -> Principal | None:
    """The token's principal if it verifies and may read the dashboard."""
    try:
        principal = await verified(request.scope, settings, token)
    except InvalidToken:
        return None
    except KeysUnavailable as error:
        raise HTTPException(503, f"cannot check the token: {error}") from None
    return principal if principal.roles & READERS else None


async def _sign_in_first(request: Request, _: Exception) -> Response:
    if "text/event-stream" in request.headers.get("accept", ""):
        response: Response = problem(401, "sign in first: the dashboard needs a token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="logistics"'
        return response
    if request.headers.get("hx-request"):  # htmx leaves the page for the form
        return Response(status_code=401, headers={"HX-Redirect": LOGIN})
    return RedirectResponse(LOGIN, status_code=303)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(SignInRequired, _sign_in_first)


@router.get(LOGIN)
async def login_form(request: Request) -> Response:
    if request.app.state.platform.settings.auth == "none":
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html")


@router.post(LOGIN)
async def log_in(request: Request) -> Response:
    """Check the pasted token; if it opens the dashboard, keep it in the session cookie."""
    settings: Settings = request.app.state.platform.settings
    await count_the_call(request, "public", f"address:{_address(request)}")  # guessing is slow
    if settings.auth == "none":
        return RedirectResponse("/", status_code=303)
    _same_origin(request)
    token = await _pasted_token(request)
    principal = await _reader(request, settings, token) if token else None
    if token is None or principal is None:
        error = "That token is not valid, has expired, or lacks the role backoffice:read."
        return render(request, "login.html", status=401, error=error)
    response = RedirectResponse("/", status_code=303)
    lifetime = (principal.expires or 0) - int(time.time())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(lifetime, 1),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def log_out(request: Request) -> Response:
    _same_origin(request)
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


async def _pasted_token(request: Request) -> str | None:
    """The form's ``token`` field (``application/x-www-form-urlencoded``)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(415, "send the login form as application/x-www-form-urlencoded")
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        fields = parse_qs(body, max_num_fields=10)
    except ValueError:  # more fields than the form has
        raise HTTPException(422, "the login form has one field, token") from None
    token = (fields.get("token") or [""])[0].strip()
    return token if 0 < len(token) <= MAX_TOKEN_LENGTH else None


def _same_origin(request: Request) -> None:
    """A form posted from another site (its browser says so in ``Origin``) is refused."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own:
        raise HTTPException(403, "the form was sent from another site")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
