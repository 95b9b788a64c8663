"""The Logistics API's routes (port 3003): packages and their lifecycle (SPEC §6)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import CausationDep, PlatformDep
from logistics_platform.entrypoints.http.logistics_schemas import (
    CancelRequest,
    CheckpointRequest,
    DeliverRequest,
    DispatchRequest,
    FailRequest,
    PackageListResponse,
    PackageResponse,
    ReturnRequest,
)
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import (
    PageNumber,
    PageSize,
    ReservationIdText,
)
from logistics_platform.logistics.application import commands
from logistics_platform.logistics.application.summaries import PackageSummary
from logistics_platform.logistics.domain.package import PackageNotFound
from logistics_platform.logistics.domain.values import PackageStatus
from logistics_platform.logistics.infrastructure.queries import PackageFilter

PackagePathId = Annotated[UUID, Path(description="the package's UUID")]
TrackingNumberText = Annotated[str, Query(pattern=r"^[A-Z0-9]{10}$")]

router = APIRouter(tags=["packages"])
_COMMAND_ANSWERS = problems(400, 404, 409, 422)


@router.get(
    "/packages/{id}",
    summary="Get a package",
    response_model=PackageResponse,
    responses=problems(404),
)
async def get_package(id: PackagePathId, platform: PlatformDep) -> PackageResponse:
    return await _package(platform, id)


@router.get(
    "/packages",
    summary="List packages",
    response_model=PackageListResponse,
    responses=problems(422),
)
async def list_packages(
    platform: PlatformDep,
    *,
    status: Annotated[PackageStatus | None, Query()] = None,
    reservation_id: Annotated[ReservationIdText | None, Query(alias="reservationId")] = None,
    tracking_number: Annotated[TrackingNumberText | None, Query(alias="trackingNumber")] = None,
    page: PageNumber = 1,
    size: PageSize = 20,
) -> PackageListResponse:
    """Packages, oldest registration first, filtered by any of status, reservation and
    tracking number."""
    wanted = PackageFilter(
        status=None if status is None else status.value,
        reservation_id=reservation_id,
        tracking_number=tracking_number,
    )
    found = await platform.packages.page(wanted, page=page, size=size)
    return PackageListResponse.paged(found, PackageResponse.of)


@router.post(
    "/packages/{id}/dispatch",
    summary="Dispatch a package to a carrier",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def dispatch(
    id: PackagePathId, body: DispatchRequest, platform: PlatformDep, causation: CausationDep
) -> PackageResponse:
    """Hand a registered (or failed) package to a carrier: a first or a new attempt."""
    command = commands.DispatchPackage(str(id), body.carrier, body.location)
    return await _run(platform, command, causation)


@router.post(
    "/packages/{id}/checkpoints",
    summary="Record a checkpoint in transit",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def record_checkpoint(
    id: PackagePathId, body: CheckpointRequest, platform: PlatformDep, causation: CausationDep
) -> PackageResponse:
    """A package in transit was seen somewhere."""
    command = commands.RecordCheckpoint(str(id), body.location, body.note)
    return await _run(platform, command, causation)


@router.post(
    "/packages/{id}/deliver",
    summary="Deliver a package",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def deliver(
    id: PackagePathId, body: DeliverRequest, platform: PlatformDep, causation: CausationDep
) -> PackageResponse:
    command = commands.DeliverPackage(str(id), body.signed_by, body.location)
    return await _run(platform, command, causation)


@router.post(
    "/packages/{id}/fail",
    summary="Record a failed delivery attempt",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def fail(
    id: PackagePathId, body: FailRequest, platform: PlatformDep, causation: CausationDep
) -> PackageResponse:
    """A delivery attempt failed."""
    command = commands.FailDelivery(str(id), body.reason, body.location)
    return await _run(platform, command, causation)


@router.post(
    "/packages/{id}/return",
    summary="Return a package to the sender",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def return_package(
    id: PackagePathId, body: ReturnRequest, platform: PlatformDep, causation: CausationDep
) -> PackageResponse:
    """Back to the sender, after a failure or a delivery (final)."""
    command = commands.ReturnPackage(str(id), body.reason)
    return await _run(platform, command, causation)


@router.post(
    "/packages/{id}/cancel",
    summary="Cancel a package not yet dispatched",
    response_model=PackageResponse,
    responses=_COMMAND_ANSWERS,
)
async def cancel(
    id: PackagePathId,
    platform: PlatformDep,
    causation: CausationDep,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> PackageResponse:
    """Cancel a package that was not dispatched (final); the body is optional."""
    command = commands.CancelPackage(str(id), None if body is None else body.reason)
    return await _run(platform, command, causation)


async def _run(platform: Platform, command: object, causation: CausationDep) -> PackageResponse:
    summary: PackageSummary = await platform.package_commands.handle(command, causation)
    return PackageResponse.of(summary)


async def _package(platform: Platform, id: UUID) -> PackageResponse:
    summary = await platform.packages.find(str(id))
    if summary is None:
        raise PackageNotFound(str(id))
    return PackageResponse.of(summary)
