"""The read stores' contract for the package's whole life, low-stock alerts and delivery
analytics: SQLite, PostgreSQL and (when configured) Elasticsearch."""

import pytest

from logistics_platform.backoffice.application.alert_queries import AlertsQuery
from logistics_platform.backoffice.application.queries import SummaryQuery
from logistics_platform.backoffice.domain.tracking_view import (
    ReservationStatus,
    TrackingStatus,
)
from tests.integration.backoffice.conftest import ReadSide
from tests.mothers.backoffice import (
    T0,
    Shop,
    a_tracking_number,
    package_cancellation_refused,
    stock_item_added,
    stock_level,
)


def a_second_attempt_then_a_return(shop: Shop, item: str, reservation: str, n: int = 1) -> None:
    """Reserved, registered, dispatched (DHL), checkpoint, failed, dispatched again (UPS),
    delivered an hour later, returned; the reservation committed on the first dispatch."""
    shop.reserve(item, reservation, 2)
    shop.register(reservation, a_tracking_number(n))
    shop.step(reservation, "dispatch", carrier="DHL", location="Depot A")
    shop.inventory("committed", item, reservation)
    shop.step(reservation, "checkpoint", location="Hub", note="sorted")
    shop.step(reservation, "fail", reason="nobody home", location="Door")
    shop.step(reservation, "dispatch", carrier="UPS", location="Depot B")
    shop.step(reservation, "deliver", after=3600, signedBy="Ada", location="Porch")
    shop.step(reservation, "return", reason="refused")


async def test_the_view_follows_the_whole_life_in_any_order(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    a_second_attempt_then_a_return(shop, item, "order-1")
    await read.happen(shop.events[:1] + shop.events[:0:-1])  # all but the first, reversed
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert view.status is TrackingStatus.RETURNED
    assert (view.carrier, view.last_location, view.attempts, view.signed_by) == (
        "UPS",
        "Porch",
        2,
        "Ada",
    )
    assert view.delivered_at == shop.events[-2].occurred_on
    assert view.reservation_status is ReservationStatus.COMMITTED
    assert [(e.status.value, e.location, e.note) for e in view.timeline] == [
        ("reserved", None, None),
        ("registered", None, None),
        ("in_transit", "Depot A", None),
        ("in_transit", "Hub", "sorted"),
        ("delivery_failed", "Door", "nobody home"),
        ("in_transit", "Depot B", None),
        ("delivered", "Porch", None),
        ("returned", None, "refused"),
    ]
    await read.project(shop.events)  # redelivered: nothing changes
    assert await read.store.queries.find("order-1") == view


async def test_a_second_attempt_shows_in_transit_again(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    shop.reserve(item, "order-1")
    shop.register("order-1", a_tracking_number(1))
    shop.step("order-1", "dispatch")
    shop.step("order-1", "fail")
    shop.step("order-1", "dispatch", carrier="UPS")
    await read.happen(shop.events)
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert (view.status, view.carrier, view.attempts) == (TrackingStatus.IN_TRANSIT, "UPS", 2)


async def test_a_release_after_dispatch_shows_the_refusals(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    shop.reserve(item, "order-1")
    shop.register("order-1", a_tracking_number(1))
    shop.step("order-1", "dispatch")
    shop.inventory("released", item, "order-1")
    shop.inventory("commit_refused", item, "order-1")
    package, version = shop.packages["order-1"]
    shop.events.append(package_cancellation_refused("order-1", package, version, on=shop.tick()))
    await read.happen(shop.events)
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert view.status is TrackingStatus.IN_TRANSIT
    assert view.reservation_status is ReservationStatus.COMMIT_REFUSED
    assert view.cancellation_refused is not None
    assert view.cancellation_refused.status == "in_transit"


@pytest.mark.stand_in_lacks("percentiles")  # the summary asks for lead-time percentiles
async def test_a_cancelled_package_is_counted_as_cancelled(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    shop.reserve(item, "order-1")
    shop.register("order-1", a_tracking_number(1))
    shop.step("order-1", "cancel", reason="customer")
    shop.inventory("released", item, "order-1")
    await read.happen(shop.events)
    summary = await read.store.queries.summary(SummaryQuery())
    assert summary.by_status[TrackingStatus.CANCELLED] == 1
    view = await read.store.queries.find("order-1")
    assert view is not None
    assert view.reservation_status is ReservationStatus.RELEASED


@pytest.mark.stand_in_lacks("percentiles")  # the summary asks for lead-time percentiles
async def test_the_summary_rates_deliveries_per_carrier(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    a_second_attempt_then_a_return(shop, item, "order-1", 1)  # UPS: failed once, returned
    for n, hours in ((2, 1), (3, 3)):  # DHL: delivered 1 h and 3 h after registration
        shop.reserve(item, f"order-{n}")
        shop.register(f"order-{n}", a_tracking_number(n), after=60)
        shop.step(f"order-{n}", "dispatch", after=0)
        shop.step(f"order-{n}", "deliver", after=hours * 3600)
    shop.reserve(item, "order-4")  # never dispatched
    await read.happen(shop.events)
    summary = await read.store.queries.summary(SummaryQuery())
    assert summary.by_status[TrackingStatus.RETURNED] == 1
    assert summary.by_status[TrackingStatus.DELIVERED] == 2
    overall = summary.deliveries
    assert (overall.dispatched, overall.failed, overall.returned) == (3, 1, 1)
    assert overall.failure_rate == overall.return_rate == pytest.approx(1 / 3, abs=1e-3)
    assert overall.lead_time.count == 3
    dhl, ups = summary.by_carrier["DHL"], summary.by_carrier["UPS"]
    assert (dhl.dispatched, dhl.failure_rate, dhl.return_rate) == (2, 0.0, 0.0)
    assert dhl.lead_time.count == 2
    assert dhl.lead_time.median == pytest.approx(2 * 3600, rel=0.01)  # between 1 h and 3 h
    assert (ups.dispatched, ups.failure_rate, ups.return_rate) == (1, 1.0, 1.0)
    assert set(summary.by_carrier) == {"DHL", "UPS"}


async def test_low_stock_alerts_keep_the_latest_level_by_version(read: ReadSide) -> None:
    drone, phone, cable = "item-drone", "item-phone", "item-cable"
    events = [
        stock_item_added(drone, "Drone", warehouse="BER-1", sku="DR-1", lowStockThreshold=5),
        stock_item_added(phone, "Phone", warehouse="MAIN", lowStockThreshold=10),
        stock_level(drone, low=True, available=4, threshold=5, version=3, on=T0),
        stock_level(phone, low=True, available=9, threshold=10, version=2, on=T0),
        # phone: cleared (version 4) arrives before an older low (version 3)
        stock_level(phone, low=False, available=12, threshold=10, version=4, on=T0),
        stock_level(phone, low=True, available=8, threshold=10, version=3, on=T0),
        stock_level(cable, low=True, available=0, threshold=1, version=2, on=T0),
    ]
    await read.happen(events)
    await read.project(events[2:4])  # redelivered
    alerts = await read.store.queries.low_stock(AlertsQuery())
    assert alerts.total == 2
    by_item = {alert.stock_item_id: alert for alert in alerts.items}
    assert set(by_item) == {drone, cable}
    drone_alert = by_item[drone]
    assert (drone_alert.stock_item_name, drone_alert.warehouse, drone_alert.sku) == (
        "Drone",
        "BER-1",
        "DR-1",
    )
    assert (drone_alert.available, drone_alert.threshold, drone_alert.since) == (4, 5, T0)
    assert by_item[cable].stock_item_name is None  # its addition not seen yet
    in_berlin = await read.store.queries.low_stock(AlertsQuery(warehouse="BER-1"))
    assert [alert.stock_item_id for alert in in_berlin.items] == [drone]


async def test_starting_again_keeps_the_views_and_takes_new_fields(read: ReadSide) -> None:
    shop = Shop()
    item = shop.add("Drone")
    a_second_attempt_then_a_return(shop, item, "order-1")
    await read.happen(shop.events)
    before = await read.store.queries.find("order-1")
    await read.store.start()  # another process starting on the same store
    assert await read.store.queries.find("order-1") == before
