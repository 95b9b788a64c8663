import pytest

from logistics_platform.inventory.domain.stock_item import (
    MAX_UNITS,
    Quantity,
    ReservationId,
    StockItemName,
)
from logistics_platform.shared.domain.errors import InvalidArgument


def test_a_name_is_trimmed() -> None:
    assert StockItemName("  iPhone 15 Pro  ").value == "iPhone 15 Pro"


@pytest.mark.parametrize("text", ["iPhone\n", "\tiPhone", "a\u0000b", "a\u0085b"])
def test_a_name_refuses_control_characters_even_at_its_ends(text: str) -> None:
    # Refused as sent, not trimmed away: the rule the OpenAPI schema states (a pattern).
    with pytest.raises(InvalidArgument, match="control characters"):
        StockItemName(text)


@pytest.mark.parametrize("text", ["", "   ", "x" * 201])
def test_a_name_must_have_1_to_200_characters(text: str) -> None:
    with pytest.raises(InvalidArgument):
        StockItemName(text)


def test_a_200_character_name_is_fine() -> None:
    assert len(StockItemName("x" * 200).value) == 200


@pytest.mark.parametrize("value", [0, 1, MAX_UNITS])
def test_quantities_from_zero_to_a_billion_are_valid(value: int) -> None:
    assert Quantity(value).value == value


@pytest.mark.parametrize("value", [-1, MAX_UNITS + 1, 1.5, True, "3"])
def test_other_quantities_are_refused(value: object) -> None:
    with pytest.raises(InvalidArgument):
        Quantity(value)  # type: ignore[arg-type]


def test_quantities_add_subtract_and_compare() -> None:
    assert Quantity(3) + Quantity(4) == Quantity(7)
    assert Quantity(7) - Quantity(4) == Quantity(3)
    assert Quantity(3) < Quantity(4)


def test_subtracting_below_zero_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        Quantity(3) - Quantity(4)


@pytest.mark.parametrize("text", ["order-12345", "a", "A.b_c-d:9", "x" * 100])
def test_reservation_ids_of_letters_digits_and_separators_are_valid(text: str) -> None:
    assert ReservationId(text).value == text


@pytest.mark.parametrize("text", ["", "x" * 101, "order 1", "order/1", "ordér", "a\n"])
def test_other_reservation_ids_are_refused(text: str) -> None:
    with pytest.raises(InvalidArgument):
        ReservationId(text)
