"""What a live page is told: tracking events once applied, resumable by log position."""

from logistics_platform.backoffice.application.live_changes import TrackingChange, TrackingChanges
from logistics_platform.backoffice.application.subscribers import TRACKING
from tests.fakes.backoffice import FakeEventLog
from tests.mothers.backoffice import (
    package_registered,
    package_step,
    stock_item_added,
    stock_item_reserved,
)

ITEM = "550e8400-e29b-41d4-a716-446655440000"


def a_log() -> FakeEventLog:
    """1: item added (not a tracking event), 2: order-1 reserved, 3: its package registered,
    4: order-2 reserved, 5: order-1 dispatched."""
    log = FakeEventLog()
    log.append(
        stock_item_added(ITEM, "Drone"),
        stock_item_reserved(ITEM, "order-1"),
        package_registered("order-1", "AB12CD34EF", package="p-1"),
        stock_item_reserved(ITEM, "order-2"),
        package_step("dispatch", "order-1", "p-1", 2),
    )
    return log


async def test_only_events_the_tracking_projection_applied_are_changes() -> None:
    log = a_log()
    log.positions[TRACKING] = 3

    changes = await TrackingChanges(log).after(0)

    assert changes == [
        TrackingChange(2, "inventory.stock_item.reserved", "order-1"),
        TrackingChange(3, "logistics.package.registered", "order-1"),
    ]


async def test_nothing_is_a_change_before_the_projection_applied_anything() -> None:
    log = a_log()

    assert await TrackingChanges(log).after(0) == []
    assert await TrackingChanges(log).start() == 0


async def test_a_follower_resumes_after_the_last_position_it_saw() -> None:
    log = a_log()
    log.positions[TRACKING] = 5
    changes = TrackingChanges(log)

    resumed = await changes.after(await changes.start(last_seen=3))

    assert [(c.position, c.reservation_id) for c in resumed] == [(4, "order-2"), (5, "order-1")]


async def test_without_a_last_position_a_follower_starts_from_now_on() -> None:
    log = a_log()
    log.positions[TRACKING] = 4
    changes = TrackingChanges(log)
    start = await changes.start()

    assert start == 4
    assert await changes.after(start) == []
    log.positions[TRACKING] = 5
    assert [c.position for c in await changes.after(start)] == [5]


async def test_a_position_the_log_never_reached_resumes_from_now_on() -> None:
    log = a_log()
    log.positions[TRACKING] = 5

    assert await TrackingChanges(log).start(last_seen=10_000) == 5


async def test_changes_come_one_batch_at_a_time() -> None:
    log = a_log()
    log.positions[TRACKING] = 5
    changes = TrackingChanges(log, batch=2)

    first = await changes.after(0)
    second = await changes.after(first[-1].position)

    assert [c.position for c in first] == [2, 3]
    assert [c.position for c in second] == [4, 5]
