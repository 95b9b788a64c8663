import pytest

from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.inventory.domain.stock_item import (
    InsufficientStock,
    Quantity,
    Reservation,
    ReservationConflict,
    ReservationId,
    StockItem,
    StockItemId,
    StockItemName,
)
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.mothers.inventory import a_stock_item

ORDER = ReservationId("order-12345")


def test_adding_a_stock_item_records_that_it_was_added() -> None:
    id = StockItemId.new()
    item = StockItem.add(id, StockItemName("iPhone 15 Pro"), Quantity(100))
    (event,) = item.pull_domain_events()
    assert isinstance(event, StockItemAdded)
    assert (event.aggregate_id, event.name, event.quantity) == (id.value, "iPhone 15 Pro", 100)
    assert (item.available, item.reserved, item.on_hand) == (
        Quantity(100),
        Quantity(0),
        Quantity(100),
    )


def test_reserving_moves_units_from_available_to_reserved() -> None:
    item = a_stock_item(available=100)
    item.reserve(Quantity(10), ORDER)
    assert (item.available, item.reserved, item.on_hand) == (
        Quantity(90),
        Quantity(10),
        Quantity(100),
    )


def test_reserving_records_the_reservation_and_its_event() -> None:
    item = a_stock_item(available=100)
    item.reserve(Quantity(10), ORDER)
    assert item.new_reservations == [Reservation(item.id, ORDER, Quantity(10))]
    (event,) = item.pull_domain_events()
    assert isinstance(event, StockItemReserved)
    assert (event.aggregate_id, event.quantity, event.reservation_id) == (
        item.id.value,
        10,
        "order-12345",
    )


def test_reserving_everything_available_is_allowed() -> None:
    item = a_stock_item(available=5)
    item.reserve(Quantity(5), ORDER)
    assert item.available == Quantity(0)


def test_reserving_more_than_available_is_refused_and_changes_nothing() -> None:
    item = a_stock_item(available=5)
    with pytest.raises(InsufficientStock, match="only 5 available"):
        item.reserve(Quantity(6), ORDER)
    assert (item.available, item.reserved) == (Quantity(5), Quantity(0))
    assert item.pull_domain_events() == []


def test_reserving_nothing_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        a_stock_item().reserve(Quantity(0), ORDER)


def test_repeating_the_same_reservation_changes_nothing() -> None:
    item = a_stock_item(available=100)
    existing = Reservation(item.id, ORDER, Quantity(10))
    item.reserve(Quantity(10), ORDER, existing=existing)
    assert item.available == Quantity(100)
    assert item.pull_domain_events() == []


def test_reusing_a_reservation_id_with_another_quantity_is_a_conflict() -> None:
    item = a_stock_item(available=100)
    with pytest.raises(ReservationConflict):
        item.reserve(Quantity(11), ORDER, existing=Reservation(item.id, ORDER, Quantity(10)))


def test_reusing_a_reservation_id_of_another_item_is_a_conflict() -> None:
    item = a_stock_item(available=100)
    elsewhere = Reservation(StockItemId.new(), ORDER, Quantity(10))
    with pytest.raises(ReservationConflict):
        item.reserve(Quantity(10), ORDER, existing=elsewhere)
