from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.domain.tracking_view import (
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(milliseconds=40)
ITEM = "550e8400-e29b-41d4-a716-446655440000"


def reserved(view: TrackingView) -> TrackingView:
    return view.reserved(stock_item_id=ITEM, quantity=10, stock_item_name="iPhone", on=T0)


def registered(view: TrackingView) -> TrackingView:
    return view.package_registered(package_id="p-1", tracking_number="AB12CD34EF", on=T1)


def test_a_reservation_starts_the_view_as_reserved() -> None:
    view = reserved(TrackingView("order-1"))
    assert view.status is TrackingStatus.RESERVED
    assert (view.stock_item_id, view.stock_item_name, view.reserved_quantity) == (
        ITEM,
        "iPhone",
        10,
    )
    assert view.timeline == (TimelineEntry(T0, TrackingStatus.RESERVED),)


def test_a_registered_package_moves_the_view_forward() -> None:
    view = registered(reserved(TrackingView("order-1")))
    assert view.status is TrackingStatus.REGISTERED
    assert (view.package_id, view.tracking_number) == ("p-1", "AB12CD34EF")
    assert (view.created_at, view.updated_at) == (T0, T1)


def test_the_package_seen_before_the_reservation_gives_the_same_view() -> None:
    in_order = registered(reserved(TrackingView("order-1")))
    out_of_order = reserved(registered(TrackingView("order-1")))
    assert out_of_order == in_order
    assert out_of_order.status is TrackingStatus.REGISTERED


def test_duplicates_change_nothing() -> None:
    once = registered(reserved(TrackingView("order-1")))
    assert registered(reserved(registered(reserved(once)))) == once


def test_a_name_learned_later_fills_the_blank_only() -> None:
    unnamed = TrackingView("order-1").reserved(
        stock_item_id=ITEM, quantity=10, stock_item_name=None, on=T0
    )
    assert unnamed.named("iPhone").stock_item_name == "iPhone"
    assert unnamed.named("iPhone").named("Other").stock_item_name == "iPhone"
