"""Replenishment, counts, warehouses and low-stock crossings on the StockItem aggregate."""

import pytest

from logistics_platform.inventory.domain.events import (
    StockItemAdded,
    StockItemAdjusted,
    StockItemLowStock,
    StockItemLowStockCleared,
    StockItemReplenished,
)
from logistics_platform.inventory.domain.records import Count, OperationConflict, Receipt
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import (
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    Sku,
    StockItemId,
    StockItemName,
    Warehouse,
)
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument
from tests.mothers.inventory import a_stock_item

RECEIPT, COUNT = ReceiptId("dn-1"), CountId("count-1")


def test_an_item_is_added_to_a_warehouse_with_a_sku_and_a_threshold() -> None:
    item = StockItem.add(
        StockItemId.new(),
        StockItemName("Pixel"),
        Quantity(10),
        warehouse=Warehouse("BER-1"),
        sku=Sku("PX-9.b_1"),
        low_stock_threshold=Quantity(5),
    )
    (event,) = item.pull_domain_events()
    assert isinstance(event, StockItemAdded)
    assert (event.warehouse, event.sku, event.low_stock_threshold) == ("BER-1", "PX-9.b_1", 5)


def test_an_item_added_below_its_threshold_is_low_on_stock_at_once() -> None:
    item = StockItem.add(
        StockItemId.new(), StockItemName("x"), Quantity(2), low_stock_threshold=Quantity(5)
    )
    assert [type(e) for e in item.pull_domain_events()] == [StockItemAdded, StockItemLowStock]


@pytest.mark.parametrize("code", ["", "main", "A" * 21, "MAIN 1", "MAIN_1"])
def test_a_warehouse_code_is_capitals_digits_and_dashes(code: str) -> None:
    with pytest.raises(InvalidArgument):
        Warehouse(code)


@pytest.mark.parametrize("sku", ["", "a" * 65, "a b", "a/b", "é"])
def test_a_sku_is_letters_digits_and_dashes_dots_underscores(sku: str) -> None:
    with pytest.raises(InvalidArgument):
        Sku(sku)


@pytest.mark.parametrize("name", ["a\x00b", "tab\there", "line\nbreak"])
def test_a_name_with_control_characters_is_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="control characters"):
        StockItemName(name)


def test_replenishing_adds_available_units_and_records_the_receipt() -> None:
    item = a_stock_item(available=10)
    item.replenish(Quantity(5), RECEIPT)
    assert (item.available, item.new_records) == (
        Quantity(15),
        [Receipt(item.id, RECEIPT, Quantity(5))],
    )
    (event,) = item.pull_domain_events()
    assert isinstance(event, StockItemReplenished)
    assert (event.quantity, event.receipt_id) == (5, "dn-1")


def test_the_same_receipt_again_changes_nothing() -> None:
    item = a_stock_item(available=10)
    item.replenish(Quantity(5), RECEIPT, existing=Receipt(item.id, RECEIPT, Quantity(5)))
    assert (item.available, item.changes, item.pull_domain_events()) == (Quantity(10), 0, [])


def test_the_same_receipt_with_another_quantity_is_a_conflict() -> None:
    item = a_stock_item(available=10)
    with pytest.raises(OperationConflict):
        item.replenish(Quantity(6), RECEIPT, existing=Receipt(item.id, RECEIPT, Quantity(5)))


def test_replenishing_nothing_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        a_stock_item().replenish(Quantity(0), RECEIPT)


def test_a_count_sets_on_hand_and_records_the_difference() -> None:
    item = a_stock_item(available=10)
    item.reserve(Quantity(4), ReservationId("o-1"))
    item.pull_domain_events()
    item.adjust(Quantity(7), "shelf count", COUNT)
    assert (item.available, item.reserved, item.on_hand) == (Quantity(3), Quantity(4), Quantity(7))
    (event,) = item.pull_domain_events()
    assert isinstance(event, StockItemAdjusted)
    assert (event.on_hand, event.delta, event.reason, event.count_id) == (
        7,
        -3,
        "shelf count",
        "count-1",
    )


def test_a_count_below_the_reserved_units_is_a_conflict() -> None:
    item = a_stock_item(available=10)
    item.reserve(Quantity(4), ReservationId("o-1"))
    with pytest.raises(Conflict, match="below the 4 units reserved"):
        item.adjust(Quantity(3), "shelf count", COUNT)
    assert item.on_hand == Quantity(10)


def test_the_same_count_again_changes_nothing_and_another_on_hand_is_a_conflict() -> None:
    item = a_stock_item(available=10)
    earlier = Count(item.id, COUNT, Quantity(8), "shelf count")
    item.adjust(Quantity(8), "again", COUNT, existing=earlier)
    assert (item.available, item.changes) == (Quantity(10), 0)
    with pytest.raises(OperationConflict):
        item.adjust(Quantity(9), "shelf count", COUNT, existing=earlier)


def test_falling_below_the_threshold_raises_low_stock_once_per_crossing() -> None:
    item = a_stock_item(available=10, threshold=5)
    item.reserve(Quantity(6), ReservationId("o-1"))  # 4 left: crossed
    item.reserve(Quantity(1), ReservationId("o-2"))  # 3 left: still low
    low = [e for e in item.pull_domain_events() if isinstance(e, StockItemLowStock)]
    assert [(e.available, e.threshold, e.version) for e in low] == [(4, 5, 1)]


def test_rising_back_to_the_threshold_clears_low_stock_with_the_version_after_it() -> None:
    item = a_stock_item(available=10, threshold=5)
    item.reserve(Quantity(6), ReservationId("o-1"))
    item.replenish(Quantity(1), RECEIPT)
    events = item.pull_domain_events()
    cleared = [e for e in events if isinstance(e, StockItemLowStockCleared)]
    assert [(e.available, e.version) for e in cleared] == [(5, 2)]
    assert item.changes == 2
