from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.domain.tracking_view import (
    CancellationRefused,
    ReservationStatus,
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


# The package's life after registration (SPEC §6).

PACKAGE = "p-1"


def entry(
    version: int, status: TrackingStatus, *, minutes: int, **details: str | None
) -> TimelineEntry:
    return TimelineEntry(
        T0 + timedelta(minutes=minutes), status, version, f"event-{version}", **details
    )


def dispatched(view: TrackingView, version: int, carrier: str, location: str) -> TrackingView:
    moved = entry(
        version, TrackingStatus.IN_TRANSIT, minutes=version, carrier=carrier, location=location
    )
    return view.package_moved(moved, package_id=PACKAGE)


def failed(view: TrackingView, version: int, reason: str) -> TrackingView:
    moved = entry(version, TrackingStatus.DELIVERY_FAILED, minutes=version, note=reason)
    return view.package_moved(moved, package_id=PACKAGE)


def delivered(view: TrackingView, version: int) -> TrackingView:
    moved = entry(version, TrackingStatus.DELIVERED, minutes=version, location="Door")
    return view.package_delivered(moved, package_id=PACKAGE, signed_by="Ada")


def a_second_attempt() -> TrackingView:
    view = registered(reserved(TrackingView("order-1")))
    view = dispatched(view, 2, "DHL", "Depot A")
    view = failed(view, 3, "nobody home")
    return dispatched(view, 4, "UPS", "Depot B")


def test_a_second_attempt_after_a_failure_is_in_transit_again() -> None:
    view = a_second_attempt()
    assert view.status is TrackingStatus.IN_TRANSIT
    assert (view.carrier, view.last_location, view.attempts, view.failures) == (
        "UPS",
        "Depot B",
        2,
        1,
    )
    assert [e.status for e in view.timeline] == [
        TrackingStatus.RESERVED,
        TrackingStatus.REGISTERED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERY_FAILED,
        TrackingStatus.IN_TRANSIT,
    ]


def test_an_older_version_never_overwrites_a_newer_one() -> None:
    view = dispatched(failed(registered(TrackingView("order-1")), 3, "nobody home"), 2, "DHL", "A")
    assert view.status is TrackingStatus.DELIVERY_FAILED
    assert [e.version for e in view.timeline] == [1, 2, 3]


def test_a_checkpoint_moves_the_location_but_not_the_status() -> None:
    view = dispatched(registered(TrackingView("order-1")), 2, "DHL", "Depot A")
    checkpoint = entry(3, TrackingStatus.IN_TRANSIT, minutes=3, location="Hub", note="sorted")
    view = view.package_moved(checkpoint, package_id=PACKAGE)
    assert (view.status, view.last_location, view.attempts) == (
        TrackingStatus.IN_TRANSIT,
        "Hub",
        1,
    )
    assert view.timeline[-1].note == "sorted"


def test_a_delivery_records_who_signed_and_when() -> None:
    view = delivered(dispatched(registered(TrackingView("order-1")), 2, "DHL", "A"), 3)
    assert view.status is TrackingStatus.DELIVERED
    assert (view.signed_by, view.delivered_at, view.last_location) == (
        "Ada",
        T0 + timedelta(minutes=3),
        "Door",
    )


def test_the_same_event_twice_is_one_timeline_entry() -> None:
    view = a_second_attempt()
    again = dispatched(failed(view, 3, "nobody home"), 2, "DHL", "Depot A")
    assert again == view
    assert len(again.timeline) == 5


def test_a_cancelled_package_is_cancelled() -> None:
    cancelled = entry(2, TrackingStatus.CANCELLED, minutes=2, note="customer changed mind")
    view = registered(reserved(TrackingView("order-1"))).package_moved(cancelled, package_id="p")
    assert view.status is TrackingStatus.CANCELLED


def test_the_reservation_status_keeps_the_furthest_state_whatever_the_order() -> None:
    view = TrackingView("order-1").reservation_became(ReservationStatus.COMMITTED)
    assert reserved(view).reservation_status is ReservationStatus.COMMITTED
    released = reserved(TrackingView("order-2")).reservation_became(ReservationStatus.RELEASED)
    refused = released.reservation_became(ReservationStatus.COMMIT_REFUSED)
    assert refused.reservation_became(ReservationStatus.HELD).reservation_status is (
        ReservationStatus.COMMIT_REFUSED
    )


def test_a_refused_cancellation_stays_visible() -> None:
    refusal = CancellationRefused(T1, "in_transit", "reservation released after dispatch")
    view = a_second_attempt().cancellation_was_refused(refusal)
    assert view.cancellation_refused == refusal
    assert view.status is TrackingStatus.IN_TRANSIT


def test_the_warehouse_is_learned_with_the_name_in_either_order() -> None:
    named_first = TrackingView("order-1").named("iPhone", warehouse="BER-1")
    in_order = named_first.reserved(stock_item_id=ITEM, quantity=10, stock_item_name=None, on=T0)
    known_at_once = TrackingView("order-1").reserved(
        stock_item_id=ITEM, quantity=10, stock_item_name="iPhone", warehouse="BER-1", on=T0
    )
    unknown_yet = TrackingView("order-1").reserved(
        stock_item_id=ITEM, quantity=10, stock_item_name=None, on=T0
    )
    named_later = unknown_yet.named("iPhone", warehouse="BER-1")
    assert in_order == known_at_once == named_later
    assert named_later.warehouse == "BER-1"
    assert named_later.named("iPhone", warehouse="MAIN").warehouse == "BER-1"
