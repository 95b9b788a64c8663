"""Wire models of the Logistics API (SPEC §6): camelCase JSON, validated at the edge.

Lengths are checked here (422 before anything runs) and again by the domain, which also
trims and refuses control characters."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta
from logistics_platform.entrypoints.http.schemas import text as _text
from logistics_platform.logistics.application.summaries import PackageSummary

Carrier = Annotated[str, _text(50)]
Location = Annotated[str, _text(100)]
Reason = Annotated[str, _text(500)]


class DispatchRequest(CamelModel):
    carrier: Carrier = Field(examples=["DHL"])
    location: Location = Field(examples=["Warehouse MAIN"])


class CheckpointRequest(CamelModel):
    location: Location
    note: Annotated[str, _text(500, 0)] | None = None


class DeliverRequest(CamelModel):
    signed_by: Annotated[str, _text(100)]
    location: Location | None = None


class FailRequest(CamelModel):
    reason: Reason
    location: Location | None = None


class ReturnRequest(CamelModel):
    reason: Reason


class CancelRequest(CamelModel):
    reason: Reason | None = None


class HistoryEntryResponse(CamelModel):
    status: str
    occurred_on: datetime
    location: str | None
    note: str | None


class PackageResponse(CamelModel):
    id: str
    tracking_number: str
    reservation_id: str
    status: str
    carrier: str | None
    last_location: str | None
    attempts: int = Field(description="dispatches so far")
    history: list[HistoryEntryResponse] = Field(description="every event, oldest first")
    cancellation_refused: str | None = Field(
        description="set when the reservation was released or expired after the package"
        " had left: an operator must resolve it"
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="1 at registration, +1 per event")

    @classmethod
    def of(cls, package: PackageSummary) -> "PackageResponse":
        return cls(
            id=package.id,
            tracking_number=package.tracking_number,
            reservation_id=package.reservation_id,
            status=package.status,
            carrier=package.carrier,
            last_location=package.last_location,
            attempts=package.attempts,
            history=[
                HistoryEntryResponse(
                    status=entry.status.value,
                    occurred_on=entry.occurred_on,
                    location=entry.location,
                    note=entry.note,
                )
                for entry in package.history
            ],
            cancellation_refused=package.cancellation_refused,
            created_at=package.created_at,
            updated_at=package.updated_at,
            version=package.version,
        )


class PackageListResponse(PageMeta):
    items: list[PackageResponse]
