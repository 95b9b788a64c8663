"""The dashboard's search form: what it asks the read side, and the mistakes it names."""

from dataclasses import replace
from datetime import UTC, datetime

from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.entrypoints.http.dashboard_filters import PAGE_SIZE, Filters


def test_days_are_whole_utc_days_both_included() -> None:
    search, errors = Filters(start="2026-03-01", end="2026-03-31").search()

    assert errors == []
    assert search is not None
    assert search.period.start == datetime(2026, 3, 1, tzinfo=UTC)
    assert search.period.end == datetime(2026, 4, 1, tzinfo=UTC)


def test_the_form_becomes_a_search() -> None:
    filters = Filters(q="iphone AB12", status="in_transit", carrier="DHL", warehouse="BER-1")
    search, _ = replace(filters, page=3).search()

    assert search is not None
    assert (search.text, search.status) == ("iphone AB12", TrackingStatus.IN_TRANSIT)
    assert (search.carrier, search.warehouse) == ("DHL", "BER-1")
    assert (search.page, search.size) == (3, PAGE_SIZE)


def test_a_box_without_a_word_filters_nothing() -> None:
    search, errors = Filters(q="--- ?").search()

    assert errors == []
    assert search is not None
    assert search.text is None


def test_mistakes_are_named_for_the_operator() -> None:
    filters = Filters(status="lost", carrier="\x00", warehouse="BER 1")
    search, errors = replace(filters, start="yesterday", end="2026-02-30").search()

    assert search is None
    assert errors == [
        "Status: 'lost' is not a status",
        "Carrier: at most 50 characters, no control ones",
        "Warehouse: up to 20 letters, digits and dashes (e.g. BER-1)",
        "From: enter a date as YYYY-MM-DD",
        "To: enter a date as YYYY-MM-DD",
    ]


def test_days_the_read_side_cannot_hold_are_a_mistake_and_the_last_day_is_open_ended() -> None:
    _, errors = Filters(start="0999-12-31").search()
    search, _ = Filters(end="9999-12-31").search()

    assert errors[0].startswith("Dates: 0999-12-31T00:00:00+00:00 is out of range")
    assert search is not None
    assert search.period.end is None


def test_too_many_words_are_a_mistake() -> None:
    search, errors = Filters(q=" ".join(["word"] * 11)).search()

    assert search is None
    assert errors == ["Search: must have at most 10 words"]
