"""The read stores' contract for what a dashboard asks: views filtered by carrier and by
warehouse, and each stock item's units (SQLite, PostgreSQL, Elasticsearch)."""

import asyncio
import uuid

from logistics_platform.backoffice.application.queries import TrackingSearch
from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.shared.application.envelope import EventEnvelope
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import (
    T0,
    Shop,
    a_tracking_number,
    reservation_changed,
    stock_item_added,
    stock_item_moved,
    stock_item_reserved,
)


async def ids(read: ReadSide, search: TrackingSearch) -> list[str]:
    return [view.reservation_id for view in (await read.store.queries.search(search)).items]


async def test_views_are_filtered_by_the_latest_carrier_and_the_items_warehouse(
    read: ReadSide,
) -> None:
    shop = Shop()
    main, berlin = shop.add("Drone"), shop.add("Phone", warehouse="BER-1")
    for n, item in enumerate([main, berlin, berlin, main]):
        shop.reserve(item, f"order-{n}")
        shop.register(f"order-{n}", a_tracking_number(n))
    shop.step("order-0", "dispatch", carrier="DHL")
    shop.step("order-1", "dispatch", carrier="DHL")
    shop.step("order-1", "fail")
    shop.step("order-1", "dispatch", carrier="UPS")  # a second attempt, with another carrier
    shop.step("order-2", "dispatch", carrier="UPS")
    await read.happen(shop.events)

    assert await ids(read, TrackingSearch(carrier="DHL")) == ["order-0"]
    assert await ids(read, TrackingSearch(carrier="UPS")) == ["order-2", "order-1"]
    assert await ids(read, TrackingSearch(carrier="dhl")) == []  # as dispatched, exactly
    assert await ids(read, TrackingSearch(warehouse="BER-1")) == ["order-2", "order-1"]
    assert await ids(read, TrackingSearch(warehouse="MAIN")) == ["order-3", "order-0"]
    both = TrackingSearch(warehouse="MAIN", status=TrackingStatus.REGISTERED)
    assert await ids(read, both) == ["order-3"]
    assert await ids(read, TrackingSearch(warehouse="MAIN", carrier="UPS")) == []
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert (view.warehouse, view.carrier) == ("BER-1", "UPS")


async def test_a_view_reserved_before_its_item_is_known_learns_the_warehouse(
    read: ReadSide,
) -> None:
    item = str(uuid.uuid4())
    await read.happen([stock_item_reserved(item, "order-1", on=T0)])
    assert await ids(read, TrackingSearch(warehouse="BER-1")) == []
    await read.happen([stock_item_added(item, "Drone", warehouse="BER-1")])
    assert await ids(read, TrackingSearch(warehouse="BER-1")) == ["order-1"]
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert (view.stock_item_name, view.warehouse) == ("Drone", "BER-1")


def a_day_of_stock(item: str) -> list[EventEnvelope]:
    """100 added; 10 (o-1) and 5 (o-2) reserved; o-1 committed, o-2 released; 20 received;
    a count finds 3 fewer; o-1 comes back."""
    return [
        stock_item_added(
            item, "Drone", quantity=100, warehouse="BER-1", sku="DR-1", lowStockThreshold=100
        ),
        stock_item_reserved(item, "o-1", quantity=10),
        stock_item_reserved(item, "o-2", quantity=5),
        reservation_changed("committed", item, "o-1", quantity=10),
        reservation_changed("released", item, "o-2", quantity=5),
        stock_item_moved("replenished", item, quantity=20, receiptId="dn-1"),
        stock_item_moved("adjusted", item, onHand=107, delta=-3, reason="count", countId="c-1"),
        stock_item_moved("restocked", item, quantity=10, reservationId="o-1"),
    ]


async def test_an_items_stock_is_the_sum_of_its_events_in_any_order(read: ReadSide) -> None:
    in_order, reversed_order = str(uuid.uuid4()), str(uuid.uuid4())
    await read.happen(a_day_of_stock(in_order))
    await read.happen(a_day_of_stock(reversed_order)[::-1])
    for item in (in_order, reversed_order):
        known = await read.store.queries.stock_item(item)
        assert known is not None
        assert known.stock == StockUnits(available=117, reserved=0, shipped=0)
        assert (known.name, known.warehouse, known.sku, known.low_stock_threshold) == (
            "Drone",
            "BER-1",
            "DR-1",
            100,
        )
        assert (known.on_hand, known.low) == (117, False)


async def test_units_are_counted_once_per_event_and_shown_once_the_item_is_added(
    read: ReadSide,
) -> None:
    item = str(uuid.uuid4())
    day = a_day_of_stock(item)
    await read.happen(day[1:4])  # reserved twice and committed, before the item is known
    assert await read.store.queries.stock_item(item) is None
    await read.happen(day[:1])
    await read.project(day[:4])  # redelivered: nothing counts twice
    known = await read.store.queries.stock_item(item)
    assert known is not None
    assert known.stock == StockUnits(available=85, reserved=5, shipped=10)
    assert (known.on_hand, known.low) == (90, True)
    assert await read.store.queries.stock_item(str(uuid.uuid4())) is None


async def test_a_batch_sums_its_items_changes(read: ReadSide) -> None:
    items = sorted(str(uuid.uuid4()) for _ in range(3))
    events = [event for item in items for event in a_day_of_stock(item)]
    await read.record(events)
    await read.project_in_batches(events[::-1], size=7)
    for item in items:
        known = await read.store.queries.stock_item(item)
        assert known is not None
        assert known.stock == StockUnits(available=117, reserved=0, shipped=0)


async def test_concurrent_batches_on_the_same_items_lose_no_change(read: ReadSide) -> None:
    items = [str(uuid.uuid4()) for _ in range(3)]
    events = [event for item in items for event in a_day_of_stock(item)]
    await read.record(events)
    catalog = next(s for s in read.subscribers if "catalog" in s.name)
    await asyncio.gather(*(catalog.deliver_all(events[start::4][::-1]) for start in range(4)))
    for item in items:
        known = await read.store.queries.stock_item(item)
        assert known is not None
        assert known.stock == StockUnits(available=117, reserved=0, shipped=0)
