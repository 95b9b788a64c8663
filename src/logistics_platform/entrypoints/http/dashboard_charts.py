"""The analytics page's bar charts, drawn on the server: each bar's length is its share of
the chart's largest value, and every figure is also given as text (a table beside the
drawing), so the charts need no script and read out to a screen reader."""

from dataclasses import dataclass

from logistics_platform.backoffice.application.queries import (
    DeliveryStats,
    Durations,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus

MAX_DAYS = 31  # the most recent days with any activity


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the page writes it
    share: float = 0.0  # of the chart's largest value, 0 to 1


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # a page-unique id
    title: str
    description: str
    bars: list[Bar]


def chart(key: str, title: str, description: str, bars: list[Bar]) -> Chart:
    largest = max((bar.value for bar in bars), default=0.0)
    scaled = [
        Bar(bar.label, bar.value, bar.text, bar.value / largest if largest > 0 else 0.0)
        for bar in bars
    ]
    return Chart(key, title, description, scaled)


def charts(summary: TrackingSummary) -> list[Chart]:
    return [by_status(summary), deliveries_per_day(summary), lead_times(summary), rates(summary)]


def by_status(summary: TrackingSummary) -> Chart:
    bars = [
        Bar(status.value.replace("_", " "), count, str(count))
        for status in TrackingStatus
        if (count := summary.by_status.get(status, 0))
    ]
    described = f"{summary.total} packages in all, counted by their current status."
    return chart("by-status", "Packages by status", described, bars)


def deliveries_per_day(summary: TrackingSummary) -> Chart:
    days = [day for day in summary.per_day if day.deliveries][-MAX_DAYS:]
    bars = [Bar(day.day.isoformat(), day.deliveries, str(day.deliveries)) for day in days]
    described = f"Packages delivered per day (UTC), the latest {MAX_DAYS} days with deliveries."
    return chart("deliveries", "Deliveries per day", described, bars)


def lead_times(summary: TrackingSummary) -> Chart:
    """Registration to delivery: the median and the 90th percentile, overall and per carrier."""
    carriers = {"all carriers": summary.deliveries, **dict(sorted(summary.by_carrier.items()))}
    bars = [
        bar for carrier, stats in carriers.items() for bar in _percentiles(carrier, stats.lead_time)
    ]
    described = (
        "Hours from registration to delivery: the median (p50) and the 90th percentile (p90)"
        " of delivered packages, overall and by carrier."
    )
    return chart("lead-time", "Lead time distribution", described, bars)


def _percentiles(carrier: str, durations: Durations) -> list[Bar]:
    found = [("p50", durations.median), ("p90", durations.p90)]
    return [
        Bar(f"{carrier} {name}", seconds / 3600, _hours(seconds))
        for name, seconds in found
        if seconds is not None
    ]


def rates(summary: TrackingSummary) -> Chart:
    bars = [
        bar
        for carrier, stats in sorted(summary.by_carrier.items())
        for bar in _rates(carrier, stats)
    ]
    described = (
        "Per carrier, the share of dispatched packages that failed a delivery attempt at least"
        " once, and the share that was returned."
    )
    return chart("rates", "Failure and return rates per carrier", described, bars)


def _rates(carrier: str, stats: DeliveryStats) -> list[Bar]:
    found = [("failed", stats.failure_rate), ("returned", stats.return_rate)]
    return [
        Bar(f"{carrier} {name}", rate, f"{rate:.1%} of {stats.dispatched}")
        for name, rate in found
        if rate is not None
    ]


def _hours(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
