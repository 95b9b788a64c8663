"""The dashboard's search form: what the operator typed, checked into a tracking search.

A mistake in the form is shown next to it (the page answers, with the message), rather
than as a problem document: the operator corrects it where it was made."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query

from logistics_platform.backoffice.application.queries import (
    MAX_QUERY_LENGTH,
    MAX_RESULT_WINDOW,
    Period,
    TrackingSearch,
)
from logistics_platform.backoffice.domain.search_words import words
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.entrypoints.http.backoffice import MAX_CARRIER_LENGTH, WAREHOUSE_PATTERN
from logistics_platform.entrypoints.http.schemas import VISIBLE_TEXT_PATTERN
from logistics_platform.shared.domain.errors import InvalidArgument

PAGE_SIZE = 20
# A page of a dashboard's table: deeper than the read store's result window is refused.
PageNumber = Annotated[int, Query(ge=1, le=MAX_RESULT_WINDOW // PAGE_SIZE)]
WAREHOUSE_ERROR = "Warehouse: up to 20 letters, digits and dashes (e.g. BER-1)"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WAREHOUSE = re.compile(WAREHOUSE_PATTERN)
_CARRIER = re.compile(VISIBLE_TEXT_PATTERN)


@dataclass(frozen=True, slots=True)
class Filters:
    """The form as sent; ``start`` and ``end`` are days (``YYYY-MM-DD``), both included."""

    q: str = ""
    status: str = ""
    carrier: str = ""
    warehouse: str = ""
    start: str = ""
    end: str = ""
    page: int = 1

    def values(self) -> dict[str, str | int]:
        """The form's fields by their names in the URL."""
        return {
            "q": self.q,
            "status": self.status,
            "carrier": self.carrier,
            "warehouse": self.warehouse,
            "from": self.start,
            "to": self.end,
        }

    def search(self) -> tuple[TrackingSearch | None, list[str]]:
        """The search these filters ask for, or the mistakes that stop it."""
        errors: list[str] = []
        status = self._status(errors)
        self._check_carrier_and_warehouse(errors)
        start, end = _day(self.start, "From", errors), _day(self.end, "To", errors)
        try:
            period = Period(_midnight(start), _midnight(end, days_later=1))
        except InvalidArgument as error:
            errors.append(f"Dates: {error.message}")
        if errors:
            return None, errors
        try:
            search = TrackingSearch(
                status=status,
                carrier=self.carrier or None,
                warehouse=self.warehouse or None,
                text=self.q if words(self.q) else None,  # a box without a word filters nothing
                period=period,
                page=self.page,
                size=PAGE_SIZE,
            )
        except InvalidArgument as error:  # the paging is bounded already: the words
            return None, [f"Search: {error.message.removeprefix('q ')}"]
        return search, []

    def _check_carrier_and_warehouse(self, errors: list[str]) -> None:
        if self.carrier and not _CARRIER.match(self.carrier):
            errors.append(f"Carrier: at most {MAX_CARRIER_LENGTH} characters, no control ones")
        if self.warehouse and not _WAREHOUSE.match(self.warehouse):
            errors.append(WAREHOUSE_ERROR)

    def _status(self, errors: list[str]) -> TrackingStatus | None:
        if not self.status:
            return None
        try:
            return TrackingStatus(self.status)
        except ValueError:
            errors.append(f"Status: {self.status!r} is not a status")
            return None


@dataclass(frozen=True, slots=True)
class Pages:
    """Where a page of results is among them: for the previous and next links."""

    current: int
    last: int

    @property
    def previous(self) -> int | None:
        return self.current - 1 if self.current > 1 else None

    @property
    def next(self) -> int | None:
        return self.current + 1 if self.current < self.last else None


def _day(text: str, field: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"{field}: enter a date as YYYY-MM-DD")
        return None


def _midnight(day: date | None, *, days_later: int = 0) -> datetime | None:
    if day is None or (days_later and day == date.max):
        return None  # to the end of time: the last day has no day after it
    return datetime.combine(day + timedelta(days=days_later), time(), tzinfo=UTC)


def _filters(  # noqa: PLR0917 - the form's fields
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    status: Annotated[str, Query(max_length=40)] = "",
    carrier: Annotated[str, Query(max_length=MAX_CARRIER_LENGTH)] = "",
    warehouse: Annotated[str, Query(max_length=40)] = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    page: PageNumber = 1,
) -> Filters:
    # A dispatch trims its carrier; warehouses are upper case.
    return Filters(q.strip(), status, carrier.strip(), warehouse.strip().upper(), start, end, page)


FiltersDep = Annotated[Filters, Depends(_filters)]
