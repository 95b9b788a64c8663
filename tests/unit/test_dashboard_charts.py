"""The analytics page's charts: each bar's length is its share of the largest value."""

from datetime import date

from logistics_platform.backoffice.application.queries import (
    DailyCounts,
    DeliveryStats,
    Durations,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.entrypoints.http.dashboard_charts import (
    MAX_DAYS,
    by_status,
    charts,
    deliveries_per_day,
    lead_times,
    rates,
)


def a_summary(**changes: object) -> TrackingSummary:
    fields: dict[str, object] = {
        "total": 6,
        "by_status": {TrackingStatus.REGISTERED: 2, TrackingStatus.DELIVERED: 4},
        "top_stock_items": [],
        "per_day": [],
        "to_registration": Durations(),
        "to_delivery": Durations(),
        **changes,
    }
    return TrackingSummary(**fields)  # type: ignore[arg-type]


def test_status_bars_are_scaled_to_the_largest_count_and_skip_empty_statuses() -> None:
    chart = by_status(a_summary())

    assert [(bar.label, bar.text, bar.share) for bar in chart.bars] == [
        ("registered", "2", 0.5),
        ("delivered", "4", 1.0),
    ]


def test_an_empty_period_has_charts_without_bars() -> None:
    empty = a_summary(total=0, by_status={})

    assert all(chart.bars == [] for chart in charts(empty))


def test_deliveries_per_day_show_the_latest_days_with_deliveries() -> None:
    days = [DailyCounts(date(2026, 1, 1).replace(day=d), deliveries=d % 3) for d in range(1, 32)]
    days += [DailyCounts(date(2026, 2, d), deliveries=1) for d in range(1, 28)]

    chart = deliveries_per_day(a_summary(per_day=days))

    assert len(chart.bars) == MAX_DAYS
    assert chart.bars[-1].label == "2026-02-27"
    assert all(bar.value > 0 for bar in chart.bars)


def test_lead_times_give_the_median_and_p90_overall_and_per_carrier_in_hours() -> None:
    overall = DeliveryStats(dispatched=3, lead_time=Durations(3, median=7200, p90=36000))
    dhl = DeliveryStats(dispatched=2, lead_time=Durations(2, median=1800, p90=None))

    chart = lead_times(a_summary(deliveries=overall, by_carrier={"DHL": dhl}))

    assert [(bar.label, bar.text) for bar in chart.bars] == [
        ("all carriers p50", "2.0 h"),
        ("all carriers p90", "10.0 h"),
        ("DHL p50", "30.0 min"),
    ]
    assert chart.bars[1].share == 1.0


def test_rates_per_carrier_name_what_they_are_a_share_of() -> None:
    ups = DeliveryStats(dispatched=4, failed=1, returned=0)
    chart = rates(a_summary(by_carrier={"UPS": ups, "DHL": DeliveryStats()}))

    assert [(bar.label, bar.text) for bar in chart.bars] == [
        ("UPS failed", "25.0% of 4"),
        ("UPS returned", "0.0% of 4"),
    ]
