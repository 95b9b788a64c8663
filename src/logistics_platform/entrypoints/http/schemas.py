"""Wire models shared by the APIs: camelCase JSON, validated at the edge."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

RESERVATION_ID_PATTERN = r"^[A-Za-z0-9\-_.:]{1,100}$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"

ReservationIdText = Annotated[str, Field(pattern=RESERVATION_ID_PATTERN, examples=["order-12345"])]
Page = Annotated[int, Field(ge=1, le=1_000_000, description="1-based page number")]
PageSize = Annotated[int, Field(ge=1, le=100, description="items per page (at most 100)")]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class PageMeta(CamelModel):
    total: int
    page: int
    size: int


class HealthResponse(CamelModel):
    status: str
    service: str
    timestamp: str


class Problem(CamelModel):
    """An RFC 9457 problem document; ``error`` repeats ``detail`` for the guide's clients."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: str


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI's description of the error answers a route may give."""
    schema = Problem.model_json_schema(by_alias=True)
    return {
        status: {
            "content": {"application/problem+json": {"schema": schema}},
            "description": _MEANING.get(status, "problem"),
        }
        for status in statuses
    }


_MEANING = {
    400: "malformed Idempotency-Key",
    404: "no such resource",
    409: "conflicts with the current state (or the same Idempotency-Key is in flight)",
    422: "invalid input (or an Idempotency-Key reused for another request)",
}
