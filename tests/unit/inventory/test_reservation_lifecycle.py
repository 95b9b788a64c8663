"""What becomes of a reservation: released, expired, committed on dispatch, restocked."""

from datetime import UTC, datetime, timedelta

import pytest

from logistics_platform.inventory.domain.events import (
    ReservationCommitRefused,
    ReservationCommitted,
    ReservationExpired,
    ReservationReleased,
    StockItemRestocked,
)
from logistics_platform.inventory.domain.records import (
    COMMIT_REFUSED,
    Reservation,
    ReservationAlreadyCommitted,
    ReservationStatus,
)
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import Quantity, ReservationId

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ORDER = ReservationId("order-1")


def reserved(
    *, available: int = 10, quantity: int = 4, ttl: int | None = None
) -> tuple[StockItem, Reservation]:
    """An item with one held reservation, both as stored."""
    from tests.mothers.inventory import a_stock_item

    item = a_stock_item(available=available)
    expires_at = NOW + timedelta(seconds=ttl) if ttl is not None else None
    item.reserve(Quantity(quantity), ORDER, expires_at=expires_at)
    (reservation,) = item.new_reservations
    item.stored()
    item.pull_domain_events()
    return item, reservation


def stock(item: StockItem) -> tuple[int, int, int]:
    return item.available.value, item.reserved.value, item.shipped.value


def test_releasing_gives_the_units_back_and_records_it() -> None:
    item, reservation = reserved()
    item.release(reservation, reason="customer cancelled")
    assert stock(item) == (10, 0, 0)
    assert item.changed_reservations == [reservation.but(status=ReservationStatus.RELEASED)]
    (event,) = item.pull_domain_events()
    assert isinstance(event, ReservationReleased)
    assert (event.reservation_id, event.quantity, event.reason) == (
        "order-1",
        4,
        "customer cancelled",
    )


@pytest.mark.parametrize("status", [ReservationStatus.RELEASED, ReservationStatus.EXPIRED])
def test_releasing_a_given_up_reservation_again_changes_nothing(status: ReservationStatus) -> None:
    item, reservation = reserved()
    item.release(reservation.but(status=status))
    assert (stock(item), item.changes, item.pull_domain_events()) == ((6, 4, 0), 0, [])


def test_releasing_a_committed_reservation_is_refused() -> None:
    item, reservation = reserved()
    item.commit(reservation)
    with pytest.raises(ReservationAlreadyCommitted):
        item.release(reservation)
    assert stock(item) == (6, 0, 4)


def test_a_held_reservation_expires_only_once_past_its_expiry() -> None:
    item, reservation = reserved(ttl=60)
    item.expire(reservation, NOW + timedelta(seconds=59))
    assert item.pull_domain_events() == []
    item.expire(reservation, NOW + timedelta(seconds=60))
    item.expire(reservation, NOW + timedelta(seconds=61))
    assert stock(item) == (10, 0, 0)
    assert [type(e) for e in item.pull_domain_events()] == [ReservationExpired]
    assert item.changed_reservations[0].status is ReservationStatus.EXPIRED


def test_a_reservation_without_ttl_never_expires() -> None:
    item, reservation = reserved()
    item.expire(reservation, NOW + timedelta(days=10_000))
    assert stock(item) == (6, 4, 0)


def test_committing_moves_the_units_from_reserved_to_shipped_once() -> None:
    item, reservation = reserved()
    item.commit(reservation)
    item.commit(reservation)  # a second dispatch attempt
    assert stock(item) == (6, 0, 4)
    assert [type(e) for e in item.pull_domain_events()] == [ReservationCommitted]


@pytest.mark.parametrize("status", [ReservationStatus.RELEASED, ReservationStatus.EXPIRED])
def test_committing_a_given_up_reservation_is_refused_once_and_shown(
    status: ReservationStatus,
) -> None:
    item, reservation = reserved()
    given_up = reservation.but(status=status)
    item.commit(given_up)
    item.commit(given_up)
    assert stock(item) == (6, 4, 0)  # as the given-up reservation found them
    (event,) = item.pull_domain_events()
    assert isinstance(event, ReservationCommitRefused)
    assert event.status == status.value
    assert item.changed_reservations == [given_up.but(problem=COMMIT_REFUSED)]


def test_a_returned_package_makes_its_units_available_again_once() -> None:
    item, reservation = reserved()
    item.commit(reservation)
    item.restock(reservation)
    item.restock(reservation)
    assert stock(item) == (10, 0, 0)
    assert [type(e) for e in item.pull_domain_events()] == [
        ReservationCommitted,
        StockItemRestocked,
    ]


def test_a_return_seen_before_the_dispatch_commits_and_restocks_together() -> None:
    item, reservation = reserved()
    item.restock(reservation)
    item.commit(reservation)  # the dispatch, seen late
    assert stock(item) == (10, 0, 0)
    assert [type(e) for e in item.pull_domain_events()] == [
        ReservationCommitted,
        StockItemRestocked,
    ]
    (changed,) = item.changed_reservations
    assert (changed.status, changed.restocked) == (ReservationStatus.COMMITTED, True)


def test_a_return_of_a_given_up_reservation_changes_no_stock() -> None:
    item, reservation = reserved()
    item.release(reservation)
    item.restock(reservation)
    assert stock(item) == (10, 0, 0)


def test_storing_counts_every_change_into_the_version() -> None:
    item, reservation = reserved()
    version = item.version
    item.commit(reservation)
    item.restock(reservation)
    item.stored()
    assert (item.version, item.changes, item.touched) == (version + 2, 0, {})
