"""Search words, query validation and percentiles: the store-independent rules."""

from datetime import UTC, datetime

import pytest

from logistics_platform.backoffice.application.queries import (
    Period,
    SummaryQuery,
    TrackingSearch,
    TrackingSort,
    percentile,
)
from logistics_platform.backoffice.domain.search_words import searchable_text, words
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.domain.errors import InvalidArgument


def test_words_are_runs_of_letters_and_digits_case_folded() -> None:
    assert words("iPhone 15 Pro") == ["iphone", "15", "pro"]
    assert words("order-12_345:x.y") == ["order", "12", "345", "x", "y"]
    assert words("Straße Ünïcode") == ["strasse", "ünïcode"]
    assert words("%%% ';--") == []


def test_a_view_is_searchable_by_name_reservation_and_tracking_number() -> None:
    view = TrackingView("order-7", stock_item_name="Camera Drone", tracking_number="AB12CD34EF")
    assert searchable_text(view) == " camera drone order 7 ab12cd34ef "
    assert searchable_text(TrackingView("x")) == " x "


@pytest.mark.parametrize(
    "search",
    [
        {"size": 0},
        {"size": 101},
        {"page": 0},
        {"page": 101, "size": 100},
        {"text": "?!"},
        {"text": "x" * 201},
        {"text": "a b c d e f g h i j k"},
    ],
)
def test_searches_a_store_could_not_answer_well_are_refused(search: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        TrackingSearch(**search)  # type: ignore[arg-type]


def test_the_deepest_page_allowed_ends_at_ten_thousand_results() -> None:
    assert TrackingSearch(page=100, size=100).offset == 9_900


def test_a_period_is_in_utc_and_may_be_empty() -> None:
    naive = Period(datetime(2026, 1, 1), None)
    assert naive.start == datetime(2026, 1, 1, tzinfo=UTC)
    # An inverted range is a question with an empty answer (the contract allows any pair).
    inverted = Period(datetime(2026, 1, 2), datetime(2026, 1, 1))
    assert inverted.end == datetime(2026, 1, 1, tzinfo=UTC)


def test_sort_keys_name_a_field_and_a_direction() -> None:
    assert (TrackingSort("-updatedAt").key, TrackingSort("-updatedAt").descending) == (
        "updatedAt",
        True,
    )
    assert not TrackingSort.RESERVATION_ID.descending


def test_a_summary_ranks_between_one_and_a_hundred_items() -> None:
    for top in (0, 101):
        with pytest.raises(InvalidArgument):
            SummaryQuery(top=top)


def test_percentiles_interpolate_between_closest_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([10.0, 20.0, 30.0], 0.5) == 20.0
    assert percentile([10.0, 20.0, 30.0], 0.9) == pytest.approx(28.0)
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
