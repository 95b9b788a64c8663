"""Wire models shared by the APIs: camelCase JSON, validated at the edge."""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from logistics_platform.shared.application.paging import Page

RESERVATION_ID_PATTERN = r"^[A-Za-z0-9\-_.:]{1,100}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"

# Free text as the domain takes it (shared.domain.text): no control character anywhere
# (C0, DEL, C1) and, when required, something other than spaces.
_NO_CONTROL = r"[^\x00-\x1f\x7f-\x9f]"
_VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f]"
VISIBLE_TEXT_PATTERN = f"^{_NO_CONTROL}*{_VISIBLE}{_NO_CONTROL}*$"


def text(longest: int, shortest: int = 1) -> Any:
    """A ``Field`` for free text of at most ``longest`` characters (``shortest`` of them not
    spaces: 0 or 1)."""
    pattern = VISIBLE_TEXT_PATTERN if shortest else f"^{_NO_CONTROL}*$"
    return Field(min_length=shortest, max_length=longest, pattern=pattern)


def _whole(value: object) -> object:
    """``7.0`` is the integer 7 (JSON Schema's ``integer`` counts it so); ``7.5``,
    ``true`` and ``"7"`` stay what they are and are refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# After an integer's Field (strict=True and its bounds): Annotated[int, Field(...), WHOLE].
WHOLE = BeforeValidator(_whole)


# ISO 8601 text in years 1001 to 9998: every store holds those whatever the zone offset
# (a bare number would be a Unix time to pydantic; years 1000 and 9999 may cross the edge).
DATE_TIME_PATTERN = (
    r"^(100[1-9]|10[1-9][0-9]|1[1-9][0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])-"
)
_DATE_TIME = re.compile(DATE_TIME_PATTERN)


def _iso_8601(value: object) -> object:
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise ValueError("expected an ISO 8601 date-time in years 1001 to 9998")
    return value


IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_8601),
    Field(json_schema_extra={"pattern": DATE_TIME_PATTERN}),
]

ReservationIdText = Annotated[str, Field(pattern=RESERVATION_ID_PATTERN, examples=["order-12345"])]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000, description="1-based page number")]
PageSize = Annotated[int, Field(ge=1, le=100, description="items per page (at most 100)")]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


T = TypeVar("T")


class PageMeta(CamelModel):
    total: int
    page: int
    size: int

    @classmethod
    def paged(cls, found: Page[T], answer: Callable[[T], BaseModel]) -> Self:
        """The answer for ``found``: each of its items as ``answer`` shows it, and the page."""
        items = [answer(item) for item in found.items]
        return cls(items=items, total=found.total, page=found.page, size=found.size)


class HealthResponse(CamelModel):
    status: str
    service: str
    timestamp: str
