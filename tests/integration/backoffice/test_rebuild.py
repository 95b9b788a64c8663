"""Rebuilding the tracking views from the event log, and how far projections lag behind it."""

import asyncio
import random

from logistics_platform.backoffice.application.queries import TrackingSearch
from logistics_platform.backoffice.application.rebuild import rebuild_tracking
from logistics_platform.backoffice.application.subscribers import CATALOG, TRACKING
from logistics_platform.shared.application.envelope import EventEnvelope
from tests.fakes.backoffice import delivered
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import Shop, a_tracking_number, stock_item_reserved


def a_busy_shop(reservations: int, *, start: int = 0, shop: Shop | None = None) -> Shop:
    shop = shop or Shop()
    items = [shop.add(f"Item {n}") for n in range(3)] if start == 0 else []
    items = items or [event.aggregate_id for event in shop.events[:3]]
    for n in range(start, start + reservations):
        shop.reserve(items[n % 3], f"order-{n:04d}", quantity=n % 7 + 1)
        if n % 4:
            shop.register(f"order-{n:04d}", a_tracking_number(n), after=n % 50 + 1)
    return shop


async def test_a_rebuild_equals_the_live_views_and_a_second_one_too(read: ReadSide) -> None:
    events = a_busy_shop(60).events
    await read.record(events)
    scrambled = events + random.Random(4).sample(events, 20)
    random.Random(7).shuffle(scrambled)
    await read.project(scrambled)
    live = await read.views()
    items = sorted({event.aggregate_id for event in events[:3]})
    stock = [await read.store.queries.stock_item(item) for item in items]

    first = await rebuild_tracking(read.store, read.log, batch_size=25)
    rebuilt = await read.views()
    second = await rebuild_tracking(read.store, read.log, batch_size=1000)

    assert rebuilt == live
    assert await read.views() == live
    assert (first.events, first.skipped, first.views) == (len(events), 0, 60)
    assert (second.events, second.views, second.position) == (len(events), 60, first.position)
    assert all(view.stock_item_name and view.warehouse == "MAIN" for view in live)
    # The catalog's stock is kept live, not replayed: a rebuild leaves it as it was.
    assert [await read.store.queries.stock_item(item) for item in items] == stock
    assert all(item and item.stock.reserved for item in stock)


async def test_queries_keep_being_answered_during_a_rebuild(read: ReadSide) -> None:
    await read.happen(a_busy_shop(80).events)
    rebuilding = asyncio.create_task(rebuild_tracking(read.store, read.log, batch_size=10))
    answers = 0
    while not rebuilding.done():
        view = await read.store.queries.find("order-0001")
        page = await read.store.queries.search(TrackingSearch(size=5))
        assert view is not None
        assert view.tracking_number == a_tracking_number(1)
        assert page.total == 80
        answers += 1
        await asyncio.sleep(0)
    assert (await rebuilding).views == 80
    assert answers > 1


async def test_events_that_arrive_during_a_rebuild_end_up_in_the_views(read: ReadSide) -> None:
    shop = a_busy_shop(40)
    await read.happen(shop.events)
    before = len(shop.events)
    a_busy_shop(10, start=40, shop=shop)
    late = shop.events[before:]
    started = asyncio.Event()
    rebuilding = asyncio.create_task(
        rebuild_tracking(read.store, read.log, batch_size=10, on_progress=lambda _: started.set())
    )
    await started.wait()
    await read.happen(late)  # recorded and projected live while the rebuild runs
    await rebuilding
    await read.store.refresh()
    views = await read.views()
    assert len(views) == 50
    again = await rebuild_tracking(read.store, read.log)
    assert again.views == 50
    assert await read.views() == views


async def test_a_rebuild_skips_events_the_live_projection_could_not_apply(read: ReadSide) -> None:
    shop = a_busy_shop(3)
    broken = stock_item_reserved(shop.events[0].aggregate_id, "order-broken")
    broken = EventEnvelope(
        event_id=broken.event_id,
        name=broken.name,
        occurred_on=broken.occurred_on,
        aggregate_id=broken.aggregate_id,
        attributes={**broken.attributes, "quantity": "ten"},
    )
    await read.record([*shop.events, broken])
    report = await rebuild_tracking(read.store, read.log)
    assert (report.events, report.skipped, report.views) == (len(shop.events), 1, 3)


async def test_each_projection_reports_its_last_event_and_lag(read: ReadSide) -> None:
    shop = a_busy_shop(2)  # 3 added, 2 reserved, 1 registered
    await read.record(shop.events)
    applied = [event for event in shop.events if event.name != "logistics.package.registered"]
    await read.project(applied)
    followed = {s.name: s.events for s in read.subscribers}
    lags = {lag.projection: lag for lag in await read.log.lag(followed)}

    tracking = lags[TRACKING]  # applied up to the reservations
    assert tracking.event_id == applied[-1].event_id
    assert tracking.occurred_on == applied[-1].occurred_on
    assert (tracking.position, tracking.head, tracking.behind) == (5, 6, 1)
    assert tracking.seconds_behind > 0
    assert lags[CATALOG].position == 5  # the items added, and their stock reserved


async def test_a_batch_handled_out_of_log_order_records_the_furthest_position(
    read: ReadSide,
) -> None:
    shop = a_busy_shop(2)
    await read.record(shop.events)
    for event in shop.events:
        if event.name == "inventory.stock_item.added":
            await read.project([event])
    reserved = [event for event in shop.events if event.name == "inventory.stock_item.reserved"]
    subscriber = next(s for s in read.subscribers if s.name == TRACKING)

    await subscriber.deliver_all(reserved[::-1])

    followed = {s.name: s.events for s in read.subscribers}
    lag = {lag.projection: lag for lag in await read.log.lag(followed)}[subscriber.name]
    assert (lag.position, lag.head, lag.behind) == (5, 6, 1)  # the registration is not
    assert lag.event_id == reserved[0].event_id  # the last one applied


async def test_projectors_batching_the_same_views_concurrently_give_the_in_order_views(
    read: ReadSide,
) -> None:
    events = a_busy_shop(40).events
    by_name = {name: s for s in read.subscribers for name in s.events}
    await read.project([e for e in events if e.name == "inventory.stock_item.added"])

    await asyncio.gather(
        *(
            by_name[name].deliver_all([e for e in events if e.name == name][start::4])
            for name in ("inventory.stock_item.reserved", "logistics.package.registered")
            for start in range(4)
        )
    )

    await read.store.refresh()
    expected = await delivered(events)
    assert len(expected) == 40
    for reservation, view in expected.items():
        assert await read.store.queries.find(reservation) == view


async def test_a_rebuild_gives_back_the_lifecycle_of_every_package(read: ReadSide) -> None:
    shop = a_busy_shop(20)
    steps = [("dispatch", "fail", "dispatch", "deliver"), ("cancel",), ("dispatch", "deliver")]
    for n, reservation in enumerate(sorted(shop.packages)):
        for step in steps[n % 3]:
            shop.step(reservation, step)
        if n % 3 == 1:
            shop.inventory("released", shop.events[n % 3].aggregate_id, reservation)
    events = shop.events
    await read.record(events)
    await read.project(random.Random(3).sample(events, len(events)))
    live = await read.views()

    report = await rebuild_tracking(read.store, read.log, batch_size=7)

    assert await read.views() == live
    assert report.events == len(events)
    assert {view.status.value for view in live} >= {"reserved", "delivered", "cancelled"}
