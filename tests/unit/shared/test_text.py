import pytest

from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.text import clean_text


def test_text_is_trimmed() -> None:
    assert clean_text("  Hub Madrid ", field="location", max_length=100) == "Hub Madrid"


@pytest.mark.parametrize("value", ["a\u0000b", "a\nb", "\u001b[31mred", "tab\there"])
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(InvalidArgument, match="location must not contain control characters"):
        clean_text(value, field="location", max_length=100)


@pytest.mark.parametrize("value", ["", "   ", "x" * 101, 5, None])
def test_empty_too_long_or_not_text_is_refused(value: object) -> None:
    with pytest.raises(InvalidArgument, match="location"):
        clean_text(value, field="location", max_length=100)


def test_an_optional_text_may_be_empty_when_asked() -> None:
    assert clean_text("", field="note", max_length=500, min_length=0) == ""
