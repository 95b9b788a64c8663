import pytest

from logistics_platform.inventory.domain.stock_item import StockItemId
from logistics_platform.logistics.domain.values import PackageId
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.identifiers import Uuid


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


def test_random_identifiers_differ() -> None:
    assert StockItemId.random() != StockItemId.random()


def test_identifiers_are_immutable() -> None:
    identifier = StockItemId.random()
    with pytest.raises(AttributeError):
        identifier.value = "other"  # type: ignore[misc]
