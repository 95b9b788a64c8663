"""The catalog's stock of an item is the sum of its events' changes: it matches Inventory's
own figures whatever order the events arrive in."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_platform.backoffice.domain.stock_figures import StockItemFigures, StockUnits
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import (
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    StockItemId,
    StockItemName,
    Warehouse,
)
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import DomainError
from tests.fakes.backoffice import FakeBackofficeUnitOfWork
from tests.mothers.backoffice import backoffice_subscribers

RESERVATIONS = ["r0", "r1", "r2"]
reservation = st.sampled_from(RESERVATIONS)
step = st.one_of(
    st.tuples(st.just("reserve"), reservation, st.integers(1, 30)),
    st.tuples(st.sampled_from(["release", "commit", "restock"]), reservation),
    st.tuples(st.just("replenish"), st.integers(1, 20)),
    st.tuples(st.just("adjust"), st.integers(0, 80)),
)


def test_each_change_keeps_received_equal_to_on_hand_plus_shipped() -> None:
    after = (
        StockUnits.received(10)
        + StockUnits.reserved_units(4)
        + StockUnits.committed(3)
        + StockUnits.restocked(1)
        + StockUnits.given_back(1)
        + StockUnits.counted(-2)
    )
    assert after == StockUnits(available=6, reserved=0, shipped=2)
    assert after.on_hand + after.shipped == 10 - 2  # received, less what the count lost


def test_an_item_is_low_below_its_threshold() -> None:
    def item(available: int) -> StockItemFigures:
        return StockItemFigures("i", "Drone", "MAIN", None, 5, StockUnits(available=available))

    assert (item(4).low, item(5).low) == (True, False)
    assert (item(4).available, item(4).on_hand, item(4).shipped) == (4, 4, 0)


def inventory_events(steps: list[tuple[Any, ...]]) -> tuple[StockItem, list[EventEnvelope]]:
    """One item living ``steps`` (refused ones change nothing), and the events it recorded."""
    item = StockItem.add(
        StockItemId.new(), StockItemName("Drone"), Quantity(40), warehouse=Warehouse("BER-1")
    )
    for n, (kind, *args) in enumerate(steps):
        try:
            if kind == "reserve":
                rid, quantity = args
                existing = item.touched.get(ReservationId(str(rid)))
                item.reserve(Quantity(int(quantity)), ReservationId(str(rid)), existing=existing)
            elif kind == "replenish":
                item.replenish(Quantity(int(args[0])), ReceiptId(f"dn-{n}"))
            elif kind == "adjust":
                item.adjust(Quantity(int(args[0])), "count", CountId(f"c-{n}"))
            elif held := item.touched.get(ReservationId(str(args[0]))):
                getattr(item, str(kind))(held)
        except DomainError:
            pass
    envelopes = [
        EventEnvelope.wrap(event, correlation_id="c") for event in item.pull_domain_events()
    ]
    return item, envelopes


@given(st.lists(step, max_size=25), st.data())
@settings(max_examples=150, deadline=None)
async def test_any_order_with_redeliveries_sums_to_inventorys_figures(
    steps: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    item, events = inventory_events(steps)
    again = data.draw(st.lists(st.sampled_from(events), max_size=10))
    arrival = data.draw(st.permutations(events + again))
    uow = FakeBackofficeUnitOfWork()
    subscribers = backoffice_subscribers(lambda _: uow)
    for event in arrival:
        for subscriber in subscribers:
            if event.name in subscriber.events:
                await subscriber.deliver(event)
    units = uow.known.units[item.id.value]
    assert (units.available, units.reserved, units.shipped, units.on_hand) == (
        item.available.value,
        item.reserved.value,
        item.shipped.value,
        item.on_hand.value,
    )
    assert uow.known.items[item.id.value][0] == "BER-1"
