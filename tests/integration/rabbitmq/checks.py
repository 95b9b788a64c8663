"""What "every reservation reached the backoffice exactly once" means, checked in the stores."""

from collections.abc import Collection

from logistics_platform.bootstrap import Platform
from tests.integration.rabbitmq.conftest import scalar


async def all_registered(platform: Platform, reservation_ids: Collection[str]) -> bool:
    """Every reservation's tracking view shows its package."""
    for reservation_id in reservation_ids:
        view = await platform.tracking.find(reservation_id)
        if view is None or view.status != "registered":
            return False
    return True


async def assert_applied_once(platform: Platform, reservation_ids: Collection[str]) -> None:
    """One package per reservation, one registration event each, and the views show them."""
    engine = platform.engine
    for reservation_id in reservation_ids:
        packages = await scalar(
            engine,
            "SELECT count(*) FROM logistics_packages WHERE reservation_id = :id",
            id=reservation_id,
        )
        registrations = await scalar(
            engine,
            "SELECT count(*) FROM outbox WHERE name = 'logistics.package.registered'"
            " AND envelope LIKE :pattern",
            pattern=f'%"reservationId":"{reservation_id}"%',
        )
        assert (packages, registrations) == (1, 1), reservation_id
        package_id = await scalar(
            engine,
            "SELECT id FROM logistics_packages WHERE reservation_id = :id",
            id=reservation_id,
        )
        view = await platform.tracking.find(reservation_id)
        assert view is not None
        assert view.package_id == package_id
        assert view.status == "registered"


async def unpublished(platform: Platform) -> int:
    return int(
        await scalar(platform.engine, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
    )
