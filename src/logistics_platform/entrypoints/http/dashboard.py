"""The operators' dashboard on the Backoffice API: server-rendered pages (htmx swaps their
fragments; every page also works as a plain link), read through the same queries as the
JSON API, and kept live by the tracking changes stream (``dashboard_stream``)."""

import re
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from logistics_platform.backoffice.domain.tracking_view import (
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http import dashboard_auth, dashboard_reports, dashboard_stream
from logistics_platform.entrypoints.http.dashboard_auth import Viewer
from logistics_platform.entrypoints.http.dashboard_filters import (
    PAGE_SIZE,
    Filters,
    FiltersDep,
    Pages,
)
from logistics_platform.entrypoints.http.dashboard_pages import STATIC, query, render
from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.schemas import RESERVATION_ID_PATTERN
from logistics_platform.shared.application.paging import Page

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """The dashboard's pages, stream, sign-in and static files, on the Backoffice API."""
    dashboard_auth.install(app)
    for pages in (router, dashboard_reports.router, dashboard_stream.router):
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


@router.get("/")
async def tracking_page(
    request: Request, platform: PlatformDep, filters: FiltersDep, _: Viewer
) -> HTMLResponse:
    """Packages: search, filters, a page of results, live."""
    found, errors = await _search(platform, filters)
    return render(
        request,
        "tracking.html",
        status=422 if errors else 200,
        filters=filters,
        found=found,
        errors=errors,
        pages=_pages(found),
        statuses=list(TrackingStatus),
    )


@router.get("/dashboard/results")
async def tracking_results(
    request: Request, platform: PlatformDep, filters: FiltersDep, _: Viewer
) -> HTMLResponse:
    """The results fragment: swapped in by the form, the page links and live changes."""
    found, errors = await _search(platform, filters)
    response = render(
        request,
        "_results.html",
        status=422 if errors else 200,
        filters=filters,
        found=found,
        errors=errors,
        pages=_pages(found),
    )
    if request.headers.get("hx-trigger") != "results":  # a live refresh keeps the address
        response.headers["HX-Push-Url"] = "/?" + query(filters.values(), page=filters.page)
    return response


@router.get("/dashboard/tracking/{reservation_id}")
async def package_page(
    request: Request, reservation_id: str, platform: PlatformDep, _: Viewer
) -> HTMLResponse:
    """A package: its reservation, its timeline; the fragment alone for a live refresh."""
    known = re.fullmatch(RESERVATION_ID_PATTERN.strip("^$"), reservation_id)
    view = await platform.tracking.find(reservation_id) if known else None
    if view is None:
        return render(request, "not_found.html", status=404, reservation_id=reservation_id)
    fragment = request.headers.get("hx-trigger") == "package"
    item = view.stock_item_id
    return render(
        request,
        "_package.html" if fragment else "package.html",
        view=view,
        timeline=timeline(view),
        stock=await platform.tracking.stock_item(item) if item else None,
    )


async def _search(
    platform: Platform, filters: Filters
) -> tuple[Page[TrackingView] | None, list[str]]:
    search, errors = filters.search()
    return (None if search is None else await platform.tracking.search(search)), errors


def _pages(found: Page[TrackingView] | None) -> Pages:
    if found is None:
        return Pages(1, 1)
    return Pages(found.page, max(1, -(-found.total // PAGE_SIZE)))


@dataclass(frozen=True, slots=True)
class Step:
    """A timeline entry as the page lists it; ``attempt`` numbers the dispatches."""

    entry: TimelineEntry
    attempt: int | None


def timeline(view: TrackingView) -> list[Step]:
    steps, attempts = [], 0
    for entry in view.timeline:
        attempts += entry.carrier is not None
        steps.append(Step(entry, attempts if entry.carrier is not None else None))
    return steps
