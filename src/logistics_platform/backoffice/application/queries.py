"""The questions the read side answers, and the shapes of its answers (store-independent)."""

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from logistics_platform.backoffice.domain.search_words import words
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.shared.domain.errors import InvalidArgument

MAX_PAGE_SIZE = 100
# Deeper pages are refused the same way on every store (Elasticsearch's default window).
MAX_RESULT_WINDOW = 10_000
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 10
MAX_TOP = 100


def check_paging(page: int, size: int) -> None:
    """The paging every list answers with: bounded pages within the search store's result
    window (Elasticsearch serves no hit past it)."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"size must be between 1 and {MAX_PAGE_SIZE}")
    if page < 1:
        raise InvalidArgument("page must be 1 or more")
    if page * size > MAX_RESULT_WINDOW:
        raise InvalidArgument(
            f"pages beyond the first {MAX_RESULT_WINDOW} results are not served; "
            "narrow the filters instead"
        )


class TrackingSort(enum.StrEnum):
    """Sort keys; a leading ``-`` means descending. Ties are always broken by reservation id."""

    CREATED_AT = "createdAt"
    CREATED_AT_DESC = "-createdAt"
    UPDATED_AT = "updatedAt"
    UPDATED_AT_DESC = "-updatedAt"
    RESERVATION_ID = "reservationId"
    RESERVATION_ID_DESC = "-reservationId"

    @property
    def key(self) -> str:
        return self.value.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


@dataclass(frozen=True, slots=True)
class Period:
    """Views created in ``[start, end)``; either side may be open, and a range that ends
    before it starts holds nothing (an answer, not an error)."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start))
        object.__setattr__(self, "end", _utc(self.end))


@dataclass(frozen=True, kw_only=True)
class PageRequest:
    """A page of a list the read side answers (checked as every list's is)."""

    page: int = 1
    size: int = 20

    def __post_init__(self) -> None:
        check_paging(self.page, self.size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True, kw_only=True)
class TrackingSearch(PageRequest):
    """A filtered, sorted page of tracking views. Invalid combinations are refused here,
    so every store sees only questions it can answer."""

    status: TrackingStatus | None = None
    stock_item_id: str | None = None
    carrier: str | None = None  # of the latest dispatch
    warehouse: str | None = None  # of the stock item
    text: str | None = None
    period: Period = field(default_factory=Period)
    sort: TrackingSort = TrackingSort.CREATED_AT_DESC

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.text is not None:
            self._check_text(self.text)

    @staticmethod
    def _check_text(text: str) -> None:
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidArgument(f"q must have at most {MAX_QUERY_LENGTH} characters")
        found = words(text)
        if not found:
            raise InvalidArgument("q must contain a letter or a digit")
        if len(found) > MAX_QUERY_WORDS:
            raise InvalidArgument(f"q must have at most {MAX_QUERY_WORDS} words")

    @property
    def text_words(self) -> list[str]:
        return words(self.text) if self.text else []


@dataclass(frozen=True, slots=True)
class SummaryQuery:
    period: Period = field(default_factory=Period)
    top: int = 10

    def __post_init__(self) -> None:
        if not 1 <= self.top <= MAX_TOP:
            raise InvalidArgument(f"top must be between 1 and {MAX_TOP}")


@dataclass(frozen=True, slots=True)
class StockItemUnits:
    stock_item_id: str
    stock_item_name: str | None
    units: int
    reservations: int


@dataclass(frozen=True, slots=True)
class DailyCounts:
    day: date
    reservations: int = 0
    registrations: int = 0
    deliveries: int = 0


@dataclass(frozen=True, slots=True)
class Durations:
    """Seconds from reservation to a later status: how many, median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """Packages dispatched (overall, or by one carrier: the one of its latest dispatch),
    how many failed at least once, were returned, and their lead time registered →
    delivered. Rates are over the packages dispatched."""

    dispatched: int = 0
    failed: int = 0
    returned: int = 0
    lead_time: Durations = field(default_factory=Durations)

    @property
    def failure_rate(self) -> float | None:
        return _rate(self.failed, self.dispatched)

    @property
    def return_rate(self) -> float | None:
        return _rate(self.returned, self.dispatched)


@dataclass(frozen=True, slots=True)
class TrackingSummary:
    total: int
    by_status: dict[TrackingStatus, int]
    top_stock_items: list[StockItemUnits]
    per_day: list[DailyCounts]
    to_registration: Durations
    to_delivery: Durations
    deliveries: DeliveryStats = field(default_factory=DeliveryStats)
    by_carrier: dict[str, DeliveryStats] = field(default_factory=dict)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(ordered: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``)."""
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def merge_daily(
    reservations: dict[date, int], registrations: dict[date, int], deliveries: dict[date, int]
) -> list[DailyCounts]:
    """One entry per day with any activity, oldest first."""
    days = sorted({*reservations, *registrations, *deliveries})
    return [
        DailyCounts(
            day,
            reservations=reservations.get(day, 0),
            registrations=registrations.get(day, 0),
            deliveries=deliveries.get(day, 0),
        )
        for day in days
    ]


# What every read store holds and compares alike (years before 1000 lose their 4-digit
# form in timestamps; after 9999 Python has no datetime).
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _utc(moment: datetime | None) -> datetime | None:
    """In UTC; a moment whose UTC falls outside years 1-9999 cannot be asked about."""
    if moment is None:
        return None
    try:
        in_utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not EARLIEST <= in_utc <= LATEST:
        raise InvalidArgument(
            f"{moment.isoformat()} is out of range: dates must fall within "
            f"{EARLIEST.date().isoformat()} and {LATEST.date().isoformat()} UTC"
        )
    return in_utc
