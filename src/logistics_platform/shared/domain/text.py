"""Free text that people type (names, places, reasons): trimmed, bounded, printable."""

import unicodedata

from logistics_platform.shared.domain.errors import InvalidArgument


def clean_text(value: object, *, field: str, max_length: int, min_length: int = 1) -> str:
    """``value`` trimmed, or :class:`InvalidArgument` naming ``field``.

    Control characters (NUL, escapes, line breaks) are refused rather than stripped: a
    store may not hold them (PostgreSQL refuses NUL in text) and a log or a label shown to
    an operator should never carry them.
    """
    if not isinstance(value, str):
        raise InvalidArgument(f"{field} must be text")
    trimmed = value.strip()
    if not min_length <= len(trimmed) <= max_length:
        raise InvalidArgument(f"{field} must be {min_length} to {max_length} characters")
    if any(unicodedata.category(char) == "Cc" for char in trimmed):
        raise InvalidArgument(f"{field} must not contain control characters")
    return trimmed
