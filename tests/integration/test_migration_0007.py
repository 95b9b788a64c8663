"""Migration 0007: views stored before the lifecycle read on, and follow it from there."""

from sqlalchemy import text

from logistics_platform.backoffice.domain.tracking_view import ReservationStatus, TrackingStatus
from logistics_platform.backoffice.infrastructure.sql_store import SqlTrackingStore
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.integration.revisions import downgrade
from tests.mothers.backoffice import backoffice_subscribers, package_step

# A view as the projection stored it at revision 0004.
LEGACY_TIMELINE = (
    '[{"status": "reserved", "occurredOn": "2026-03-01T09:01:00.000000Z"},'
    ' {"status": "registered", "occurredOn": "2026-03-01T09:02:00.000000Z"}]'
)


async def test_a_view_stored_before_reads_on_and_follows_the_package(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine, "0004")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO backoffice_tracking_views (reservation_id, stock_item_id,"
                    " package_id, tracking_number, status, timeline, version, reserved_at)"
                    " VALUES ('order-1', 'item-1', 'p-1', 'AB12CD34EF', 'registered',"
                    " :timeline, 2, '2026-03-01 09:01:00')"
                ),
                {"timeline": LEGACY_TIMELINE},
            )
        await migrations.upgrade(engine)
        store = SqlTrackingStore(engine)
        view = await store.queries.find("order-1")
        assert view is not None
        assert view.status is TrackingStatus.REGISTERED
        assert view.reservation_status is ReservationStatus.HELD
        assert [entry.version for entry in view.timeline] == [0, 1]

        [tracking] = [s for s in backoffice_subscribers(store.unit_of_work) if "tracking" in s.name]
        await tracking.deliver(package_step("dispatch", "order-1", "p-1", 2, carrier="DHL"))
        moved = await store.queries.find("order-1")
        assert moved is not None
        assert (moved.status, moved.carrier, len(moved.timeline)) == (
            TrackingStatus.IN_TRANSIT,
            "DHL",
            3,
        )
        await downgrade(engine, "0004")  # and back
        async with engine.connect() as connection:
            assert (
                await connection.scalar(text("SELECT count(*) FROM backoffice_tracking_views")) == 1
            )
    finally:
        await engine.dispose()
