import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics_platform.inventory.domain.stock_item import StockItemId
from logistics_platform.logistics.domain.values import PackageId
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.events import new_event_id
from logistics_platform.shared.domain.identifiers import Uuid, time_ordered_uuid


def test_a_uuid_is_kept_in_canonical_lowercase_form() -> None:
    assert Uuid("550E8400-E29B-41D4-A716-446655440000").value == (
        "550e8400-e29b-41d4-a716-446655440000"
    )


@pytest.mark.parametrize("text", ["", "nope", "550e8400-e29b-41d4-a716", "x" * 500])
def test_anything_but_a_uuid_is_refused(text: str) -> None:
    with pytest.raises(InvalidArgument):
        Uuid(text)


def test_identifiers_are_equal_by_value_and_kind() -> None:
    text = "550e8400-e29b-41d4-a716-446655440000"
    assert StockItemId(text) == StockItemId(text.upper())
    assert StockItemId(text) != PackageId(text)


def test_new_identifiers_differ() -> None:
    assert StockItemId.new() != StockItemId.new()


def test_identifiers_are_immutable() -> None:
    identifier = StockItemId.new()
    with pytest.raises(AttributeError):
        identifier.value = "other"  # type: ignore[misc]


def test_a_new_uuid_is_a_version_7_uuid_of_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(time_ordered_uuid())
    after = time.time_ns() // 1_000_000
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert before <= made.int >> 80 <= after


def test_uuids_made_in_later_milliseconds_sort_later_as_text() -> None:
    # What keeps the indexes keyed on them growing at one end.
    earlier = time_ordered_uuid()
    time.sleep(0.002)
    assert time_ordered_uuid() > earlier


@given(st.integers(min_value=0, max_value=2**48 - 2), st.binary(min_size=10, max_size=10))
def test_the_text_sorts_as_the_milliseconds(milliseconds: int, random: bytes) -> None:
    made = uuid.UUID(time_ordered_uuid(milliseconds=milliseconds, random=random))
    assert made.int >> 80 == milliseconds
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    later = time_ordered_uuid(milliseconds=milliseconds + 1, random=bytes(10))
    assert str(made) < later


def test_new_entities_and_events_get_time_ordered_ids() -> None:
    assert uuid.UUID(PackageId.new().value).version == 7
    assert uuid.UUID(new_event_id()).version == 7
