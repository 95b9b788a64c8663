"""Live changes on every read store: the outbox positions the tracking projection applied."""

from logistics_platform.backoffice.application.live_changes import TrackingChanges
from logistics_platform.backoffice.application.subscribers import TRACKING
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import package_registered, stock_item_added, stock_item_reserved

ITEM = "550e8400-e29b-41d4-a716-446655440000"


async def test_changes_are_the_applied_tracking_events_in_log_order(read: ReadSide) -> None:
    added = stock_item_added(ITEM, "Drone")
    reserved = stock_item_reserved(ITEM, "order-1")
    registered = package_registered("order-1", "AB12CD34EF")
    await read.happen([added, reserved, registered])
    pending = stock_item_reserved(ITEM, "order-2")
    await read.record([pending])  # logged, not yet applied

    changes = TrackingChanges(read.log)
    start = await changes.start()
    found = await changes.after(0)

    assert [(c.event, c.reservation_id) for c in found] == [
        ("inventory.stock_item.reserved", "order-1"),
        ("logistics.package.registered", "order-1"),
    ]
    assert start == found[-1].position == await read.log.applied(TRACKING)
    await read.project([pending])
    assert [c.reservation_id for c in await changes.after(start)] == ["order-2"]


async def test_no_progress_yet_means_no_changes(read: ReadSide) -> None:
    await read.record([stock_item_reserved(ITEM, "order-1")])

    assert await read.log.applied(TRACKING) is None
    assert await TrackingChanges(read.log).after(0) == []
