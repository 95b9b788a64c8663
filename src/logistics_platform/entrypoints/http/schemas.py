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


class ProblemResponse(BaseModel):
    """RFC 9457 problem details; ``error`` repeats ``detail`` for the guide's clients."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: str


_PROBLEM_MEANINGS = {
    404: "not found",
    409: "conflicts with the current state",
    422: "invalid input",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` for the problem statuses a route answers with."""
    return {
        status: {
            "model": ProblemResponse,
            "description": _PROBLEM_MEANINGS[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
