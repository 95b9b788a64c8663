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
    # Checked as sent, before trimming: the rule is then the one the OpenAPI schema states.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(f"{field} must not contain control characters")
    trimmed = value.strip()
    if len(value) > max_length or len(trimmed) < min_length:
        raise InvalidArgument(f"{field} must be {min_length} to {max_length} characters")
    return trimmed
