"""The dashboard's analytics and alerts pages."""

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from logistics_platform.backoffice.application.alert_queries import AlertsQuery
from logistics_platform.backoffice.application.queries import MAX_RESULT_WINDOW, SummaryQuery
from logistics_platform.entrypoints.http.dashboard_auth import Viewer
from logistics_platform.entrypoints.http.dashboard_charts import charts
from logistics_platform.entrypoints.http.dashboard_filters import PAGE_SIZE, Filters
from logistics_platform.entrypoints.http.dashboard_pages import render
from logistics_platform.entrypoints.http.dependencies import PlatformDep

WAREHOUSE = re.compile(r"^[A-Z0-9-]{1,20}$")

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/analytics")
async def analytics_page(
    request: Request,
    platform: PlatformDep,
    _: Viewer,
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> HTMLResponse:
    """Status counts, deliveries per day, lead times and carrier rates, over a period."""
    filters = Filters(start=start, end=end)
    search, errors = filters.search()
    summary = None
    if search is not None:
        summary = await platform.tracking.summary(SummaryQuery(period=search.period))
    return render(
        request,
        "analytics.html",
        status=422 if errors else 200,
        filters=filters,
        errors=errors,
        summary=summary,
        charts=charts(summary) if summary else [],
    )


@router.get("/dashboard/alerts")
async def alerts_page(
    request: Request,
    platform: PlatformDep,
    _: Viewer,
    warehouse: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_RESULT_WINDOW // PAGE_SIZE)] = 1,
) -> HTMLResponse:
    """Items under their low-stock threshold; SLA breaches."""
    warehouse = warehouse.strip().upper()
    errors = [] if not warehouse or WAREHOUSE.match(warehouse) else [_WAREHOUSE_ERROR]
    found = None
    if not errors:
        query = AlertsQuery(warehouse=warehouse or None, page=page, size=PAGE_SIZE)
        found = await platform.tracking.low_stock(query)
    last = max(1, -(-found.total // PAGE_SIZE)) if found else 1
    return render(
        request,
        "alerts.html",
        status=422 if errors else 200,
        warehouse=warehouse,
        errors=errors,
        found=found,
        page=page,
        last=last,
    )


_WAREHOUSE_ERROR = "Warehouse: up to 20 letters, digits and dashes (e.g. BER-1)"
