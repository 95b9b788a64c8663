"""Rendering the dashboard's pages: the templates, their filters, and the headers every
page carries (no inline script or style is needed, so the policy allows none)."""

import functools
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show what a signed-in operator may see
}


@functools.cache
def templates() -> "Jinja2Templates":
    # Jinja is loaded with the first page, not at every start of the APIs.
    from fastapi.templating import Jinja2Templates  # noqa: PLC0415

    found = Jinja2Templates(directory=TEMPLATES)
    found.env.trim_blocks = found.env.lstrip_blocks = True
    found.env.filters["when"] = when
    found.env.filters["words"] = label
    found.env.filters["duration"] = duration
    found.env.globals["query"] = query
    return found


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` with ``context``, and whether operators sign in (for the header)."""
    signed_in = request.app.state.platform.settings.auth != "none"
    response = templates().TemplateResponse(
        request, template, {"signed_in": signed_in, **context}, status_code=status
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def secured(response: HTMLResponse) -> HTMLResponse:
    response.headers.update(SECURITY_HEADERS)
    return response


def when(moment: datetime | None) -> str:
    """A moment as operators read it: UTC, to the second."""
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float) -> str:
    """``90`` → ``1.5 min``; ``259200`` → ``3 d``."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return (
                f"{seconds / size:g} {unit}"
                if seconds % size == 0
                else f"{seconds / size:.1f} {unit}"
            )
    return f"{seconds:g} s"


def label(value: object) -> str:
    """``delivery_failed`` → ``delivery failed``."""
    return "" if value is None else str(value).replace("_", " ")


def query(values: dict[str, Any], **changes: Any) -> str:
    """The query string of ``values`` with ``changes``, blanks left out."""
    merged = {**values, **changes}
    return urlencode({key: value for key, value in merged.items() if value not in (None, "")})
