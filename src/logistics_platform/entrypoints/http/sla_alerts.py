"""``GET /alerts/sla`` on the Backoffice API: packages that broke a service level."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from logistics_platform.backoffice.application.sla_ports import (
    SlaAlert,
    SlaAlertsQuery,
)
from logistics_platform.backoffice.domain.sla import BreachKind
from logistics_platform.entrypoints.http.backoffice_schemas import WindowPage
from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta, PageSize
from logistics_platform.shared.application.envelope import format_timestamp

# A carrier as Logistics keeps it: no control characters (PostgreSQL refuses NUL in text).
CARRIER_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]+$"

router = APIRouter()


class SlaAlertResponse(CamelModel):
    package_id: str
    kind: BreachKind
    reservation_id: str
    tracking_number: str | None
    status: str = Field(description="the package's status when the breach was detected")
    carrier: str | None
    since: str = Field(description="when the breached state began (the limit's start)")
    threshold_seconds: float | None = Field(description="the limit broken; null for failures")
    failures: int = Field(description="failed delivery attempts when detected")
    detected_at: str

    @classmethod
    def of(cls, alert: SlaAlert) -> "SlaAlertResponse":
        return cls(
            package_id=alert.package_id,
            kind=alert.kind,
            reservation_id=alert.reservation_id,
            tracking_number=alert.tracking_number,
            status=alert.status,
            carrier=alert.carrier,
            since=format_timestamp(alert.since),
            threshold_seconds=alert.threshold_seconds,
            failures=alert.failures,
            detected_at=format_timestamp(alert.detected_at),
        )


class SlaAlertListResponse(PageMeta):
    items: list[SlaAlertResponse]


@router.get(
    "/alerts/sla",
    summary="List SLA alerts",
    response_model=SlaAlertListResponse,
    responses=problems(422),
    tags=["alerts"],
)
async def sla_alerts(
    *,
    platform: PlatformDep,
    kind: BreachKind | None = None,
    carrier: Annotated[
        str | None,
        Query(max_length=50, pattern=CARRIER_PATTERN, description="exactly as dispatched"),
    ] = None,
    page: WindowPage = 1,
    size: PageSize = 20,
) -> SlaAlertListResponse:
    """Packages stuck registered or in transit past their limit (per carrier), or with
    repeated failed deliveries: each raised once per package and kind, the newest first."""
    found = await platform.sla_alerts.list(
        SlaAlertsQuery(kind=kind, carrier=carrier, page=page, size=size)
    )
    return SlaAlertListResponse.paged(found, SlaAlertResponse.of)
