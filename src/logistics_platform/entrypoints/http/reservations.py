"""The Inventory API's reservation routes: what became of a reservation, and releasing it."""

from typing import Annotated

from fastapi import APIRouter, Path

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import CausationDep, PlatformDep
from logistics_platform.entrypoints.http.inventory_schemas import (
    ReleaseRequest,
    ReservationResponse,
)
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import RESERVATION_ID_PATTERN
from logistics_platform.inventory.application.commands import ReleaseReservation
from logistics_platform.inventory.domain.records import ReservationNotFound
from logistics_platform.inventory.domain.values import ReservationId

ReservationPathId = Annotated[str, Path(pattern=RESERVATION_ID_PATTERN)]

router = APIRouter(tags=["reservations"])


@router.get(
    "/reservations/{reservation_id}",
    summary="Get a reservation",
    response_model=ReservationResponse,
    responses=problems(404, 422),
)
async def get_reservation(
    reservation_id: ReservationPathId, platform: PlatformDep
) -> ReservationResponse:
    """A reservation: ``held``, ``committed`` (its package left), ``released`` or
    ``expired``; ``problem`` names a reaction that could never succeed."""
    return await _reservation(platform, reservation_id)


@router.post(
    "/reservations/{reservation_id}/release",
    summary="Release a held reservation",
    response_model=ReservationResponse,
    responses=problems(404, 409, 422),
)
async def release_reservation(
    reservation_id: ReservationPathId,
    platform: PlatformDep,
    causation: CausationDep,
    body: ReleaseRequest | None = None,
) -> ReservationResponse:
    """Give a held reservation's units back (its package is then cancelled). Released or
    expired already: 200, nothing changes (the units are back either way). Committed:
    409, its package has left."""
    reason = body.reason if body is not None else None
    await platform.commands.handle(ReleaseReservation(reservation_id, reason), causation)
    return await _reservation(platform, reservation_id)


async def _reservation(platform: Platform, reservation_id: str) -> ReservationResponse:
    summary = await platform.stock_items.reservation(reservation_id)
    if summary is None:
        raise ReservationNotFound(ReservationId(reservation_id))
    return ReservationResponse.of(summary)
