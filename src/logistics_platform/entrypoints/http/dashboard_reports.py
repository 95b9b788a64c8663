"""The dashboard's analytics and alerts pages."""

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from logistics_platform.backoffice.application.alert_queries import AlertsQuery
from logistics_platform.backoffice.application.queries import SummaryQuery
from logistics_platform.backoffice.application.sla_ports import SlaAlertsQuery
from logistics_platform.backoffice.domain.sla import BreachKind
from logistics_platform.entrypoints.http.backoffice import WAREHOUSE_PATTERN
from logistics_platform.entrypoints.http.dashboard_auth import Viewer
from logistics_platform.entrypoints.http.dashboard_charts import charts
from logistics_platform.entrypoints.http.dashboard_filters import (
    PAGE_SIZE,
    WAREHOUSE_ERROR,
    Filters,
    PageNumber,
    Pages,
)
from logistics_platform.entrypoints.http.dashboard_pages import render
from logistics_platform.entrypoints.http.dependencies import PlatformDep

WAREHOUSE = re.compile(WAREHOUSE_PATTERN)

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
    *,
    request: Request,
    platform: PlatformDep,
    _: Viewer,
    warehouse: Annotated[str, Query(max_length=40)] = "",
    page: PageNumber = 1,
    kind: Annotated[str, Query(max_length=40)] = "",
    sla_page: PageNumber = 1,
) -> HTMLResponse:
    """Items under their low-stock threshold; SLA breaches, the newest first."""
    warehouse = warehouse.strip().upper()
    errors = [] if not warehouse or WAREHOUSE.match(warehouse) else [WAREHOUSE_ERROR]
    breach = _kind(kind, errors)
    low = sla = None
    if not errors:
        query = AlertsQuery(warehouse=warehouse or None, page=page, size=PAGE_SIZE)
        low = await platform.tracking.low_stock(query)
        breaches = SlaAlertsQuery(kind=breach, page=sla_page, size=PAGE_SIZE)
        sla = await platform.sla_alerts.list(breaches)
    return render(
        request,
        "alerts.html",
        status=422 if errors else 200,
        filters={"warehouse": warehouse, "kind": kind},
        errors=errors,
        low=low,
        low_pages=_pages(low.total if low else 0, page),
        sla=sla,
        sla_pages=_pages(sla.total if sla else 0, sla_page),
        kinds=list(BreachKind),
    )


def _kind(text: str, errors: list[str]) -> BreachKind | None:
    if not text:
        return None
    try:
        return BreachKind(text)
    except ValueError:
        errors.append(f"Breach: {text!r} is not a kind of breach")
        return None


def _pages(total: int, current: int) -> Pages:
    return Pages(current, max(1, -(-total // PAGE_SIZE)))
