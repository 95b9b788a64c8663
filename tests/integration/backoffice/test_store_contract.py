"""The contract every read store keeps: SQLite, PostgreSQL and (when configured) Elasticsearch."""

import asyncio
from datetime import date, timedelta

import pytest

from logistics_platform.backoffice.application.projectors import PROJECTORS
from logistics_platform.backoffice.application.queries import (
    Period,
    SummaryQuery,
    TrackingSearch,
    TrackingSort,
)
from logistics_platform.backoffice.domain.tracking_view import (
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import (
    GUIDE_ITEM,
    T0,
    Shop,
    a_tracking_number,
    guide_flow,
    stock_item_added,
    stock_item_reserved,
)

ITEM = GUIDE_ITEM
MINUTE = timedelta(minutes=1)


async def test_a_reservation_and_its_package_make_one_registered_view(read: ReadSide) -> None:
    events = guide_flow()
    reserved, registered = events[1].event_id, events[2].event_id
    await read.happen(events)
    view = await read.store.queries.find("order-12345")
    assert view == TrackingView(
        reservation_id="order-12345",
        stock_item_id=ITEM,
        stock_item_name="iPhone 15 Pro",
        reserved_quantity=10,
        package_id="p-1",
        tracking_number="AB12CD34EF",
        timeline=(
            TimelineEntry(T0 + MINUTE, TrackingStatus.RESERVED, 0, reserved),
            TimelineEntry(T0 + 2 * MINUTE, TrackingStatus.REGISTERED, 1, registered),
        ),
        reservation_status=ReservationStatus.HELD,
    )
    assert view.status is TrackingStatus.REGISTERED
    assert await read.store.queries.find("order-unknown") is None


async def test_events_in_reverse_order_give_the_same_view(read: ReadSide) -> None:
    await read.happen(list(reversed(guide_flow())))
    view = await read.store.queries.find("order-12345")
    assert view is not None
    assert (view.status, view.stock_item_name, view.reserved_quantity) == (
        TrackingStatus.REGISTERED,
        "iPhone 15 Pro",
        10,
    )
    assert view.created_at == T0 + MINUTE


async def test_duplicates_change_nothing_even_without_the_handled_ids(read: ReadSide) -> None:
    events = guide_flow()
    await read.happen(events)
    expected = await read.views()
    await read.project(events + events)  # redelivered: the subscribers skip them
    for event in events:  # applied again behind their back: the projection absorbs them
        async with read.store.unit_of_work(Causation.of(event)) as uow:
            await PROJECTORS[event.name](event, uow)
            await uow.commit()
    await read.store.refresh()
    assert await read.views() == expected


async def test_a_view_is_found_by_its_tracking_number(read: ReadSide) -> None:
    await read.happen(guide_flow())
    view = await read.store.queries.find_by_tracking_number("AB12CD34EF")
    assert view is not None
    assert view.reservation_id == "order-12345"
    assert await read.store.queries.find_by_tracking_number("ZZZZZZZZZZ") is None


async def test_a_stale_save_is_refused(read: ReadSide) -> None:
    await read.happen(guide_flow()[1:])
    async with read.store.unit_of_work(Causation()) as first:
        stale = await first.tracking_views.get("order-12345")
    async with read.store.unit_of_work(Causation()) as second:
        current = await second.tracking_views.get("order-12345")
        assert current is not None
        await second.tracking_views.save(current.named("Drone"))
        await second.commit()
    assert stale is not None
    async with read.store.unit_of_work(Causation()) as third:
        with pytest.raises(ConcurrentModification):
            await third.tracking_views.save(stale.named("Phone"))
    view = await read.store.queries.find("order-12345")
    assert view is not None
    assert view.stock_item_name == "Drone"


async def test_a_name_learned_while_a_reservation_is_projected_is_not_lost(read: ReadSide) -> None:
    reserve = stock_item_reserved(ITEM, "order-1", on=T0)
    added = stock_item_added(ITEM, "Drone", on=T0)
    subscriber = {name: s for s in read.subscribers for name in s.events}
    async with read.store.unit_of_work(Causation.of(reserve)) as uow:
        await PROJECTORS[reserve.name](reserve, uow)  # sees no name yet
        naming = asyncio.create_task(subscriber[added.name].deliver(added))
        await asyncio.sleep(0.2)  # the catalog waits for this transaction
        await uow.commit()
    await naming
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert view.stock_item_name == "Drone"


async def some_views(read: ReadSide) -> Shop:
    """Two items; four reservations a minute apart; the first three packed."""
    shop = Shop()
    drone = shop.add("Camera Drone X", item=ITEM)
    phone = shop.add("iPhone 15 Pro")
    for n, (item, quantity) in enumerate([(drone, 1), (phone, 2), (phone, 3), (drone, 9)]):
        shop.reserve(item, f"order-{n}", quantity)
    for n in range(3):
        shop.register(f"order-{n}", a_tracking_number(n), after=30 * (n + 1))
    await read.happen(shop.events)
    return shop


async def ids(read: ReadSide, search: TrackingSearch) -> list[str]:
    return [view.reservation_id for view in (await read.store.queries.search(search)).items]


async def test_views_are_filtered_by_status_stock_item_and_period(read: ReadSide) -> None:
    await some_views(read)
    assert await ids(read, TrackingSearch(status=TrackingStatus.RESERVED)) == ["order-3"]
    assert await ids(read, TrackingSearch(stock_item_id=ITEM)) == ["order-3", "order-0"]
    reservations_from = T0 + 4 * MINUTE  # order-1 was reserved at minute 4
    period = Period(reservations_from, reservations_from + 2 * MINUTE)
    assert await ids(read, TrackingSearch(period=period)) == ["order-2", "order-1"]
    both = TrackingSearch(status=TrackingStatus.REGISTERED, stock_item_id=ITEM)
    assert await ids(read, both) == ["order-0"]


async def test_sorts_are_stable_and_ties_go_by_reservation_id(read: ReadSide) -> None:
    same_moment = [stock_item_reserved(ITEM, f"order-{n:02d}", on=T0) for n in range(25)]
    await read.happen([stock_item_added(ITEM, "Drone"), *same_moment])
    expected = [f"order-{n:02d}" for n in range(25)]
    pages = [
        await read.store.queries.search(TrackingSearch(page=page, size=10)) for page in (1, 2, 3)
    ]
    assert [view.reservation_id for p in pages for view in p.items] == expected
    assert [(p.total, p.page, p.size, len(p.items)) for p in pages] == [
        (25, 1, 10, 10),
        (25, 2, 10, 10),
        (25, 3, 10, 5),
    ]
    beyond = await read.store.queries.search(TrackingSearch(page=4, size=10))
    assert (beyond.items, beyond.total) == ([], 25)
    by_id_desc = TrackingSearch(sort=TrackingSort.RESERVATION_ID_DESC, size=3)
    assert await ids(read, by_id_desc) == ["order-24", "order-23", "order-22"]


async def test_every_sort_key_orders_the_views(read: ReadSide) -> None:
    await some_views(read)
    oldest_first = ["order-0", "order-1", "order-2", "order-3"]
    assert await ids(read, TrackingSearch(sort=TrackingSort.CREATED_AT)) == oldest_first
    assert await ids(read, TrackingSearch(sort=TrackingSort.CREATED_AT_DESC)) == oldest_first[::-1]
    # updated at: order-3 at minute 6 (reserved), the packages at minutes 7, 8 and 10
    recently_updated = ["order-2", "order-1", "order-0", "order-3"]
    assert await ids(read, TrackingSearch(sort=TrackingSort.UPDATED_AT_DESC)) == recently_updated
    assert await ids(read, TrackingSearch(sort=TrackingSort.UPDATED_AT)) == recently_updated[::-1]


SEARCHES = [
    ("drone", ["order-3", "order-0"]),
    ("camera DRONE", ["order-3", "order-0"]),
    ("iph", ["order-2", "order-1"]),
    ("iphone pro 15", ["order-2", "order-1"]),
    ("order-2", ["order-2"]),
    ("ORDER-3", ["order-3"]),
    ("tn0000000", ["order-2", "order-1", "order-0"]),
    ("TN00000001", ["order-1"]),
    ("drone TN00000000", ["order-0"]),
    ("rone", []),
    ("iphone drone", []),
    ("'; DROP TABLE backoffice_tracking_views; --", []),
]


async def test_text_search_matches_word_starts_in_name_reservation_and_tracking_number(
    read: ReadSide,
) -> None:
    await some_views(read)
    found = {text: await ids(read, TrackingSearch(text=text)) for text, _ in SEARCHES}
    assert found == dict(SEARCHES)


@pytest.mark.stand_in_lacks("percentiles", "terms_order_by_metric")
async def test_the_summary_counts_ranks_and_times_the_views(read: ReadSide) -> None:
    await some_views(read)
    summary = await read.store.queries.summary(SummaryQuery(top=1))
    assert summary.total == 4
    assert summary.by_status[TrackingStatus.REGISTERED] == 3
    assert summary.by_status[TrackingStatus.RESERVED] == 1
    assert summary.by_status[TrackingStatus.DELIVERED] == 0
    [top] = summary.top_stock_items
    assert (top.stock_item_id, top.stock_item_name, top.units, top.reservations) == (
        ITEM,
        "Camera Drone X",
        10,
        2,
    )
    [day] = summary.per_day
    assert (day.day, day.reservations, day.registrations, day.deliveries) == (
        date(2026, 3, 1),
        4,
        3,
        0,
    )
    # registered 3.5, 3.5 and 4 minutes after their reservations
    assert summary.to_registration.count == 3
    assert summary.to_registration.median == pytest.approx(210, abs=1)
    assert 210 <= (summary.to_registration.p90 or 0) <= 270
    assert summary.to_delivery.count == 0
    assert summary.to_delivery.median is None


@pytest.mark.stand_in_lacks("percentiles")
async def test_the_summary_covers_the_period_asked_for(read: ReadSide) -> None:
    await some_views(read)
    after_all = await read.store.queries.summary(SummaryQuery(period=Period(T0 + 60 * MINUTE)))
    assert (after_all.total, after_all.top_stock_items, after_all.per_day) == (0, [], [])
    assert after_all.to_registration.median is None
    first_two = Period(T0, T0 + 5 * MINUTE)
    summary = await read.store.queries.summary(SummaryQuery(period=first_two))
    assert summary.total == 2
    assert sum(item.units for item in summary.top_stock_items) == 3


async def test_the_store_counts_its_views(read: ReadSide) -> None:
    assert await read.store.queries.count() == 0
    await some_views(read)
    assert await read.store.queries.count() == 4


async def test_the_store_answers(read: ReadSide) -> None:
    assert await read.store.answers()
