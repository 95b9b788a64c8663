"""How the APIs declare their problem answers in OpenAPI (the bodies come from
``problems.problem``): RFC 9457 documents served as ``application/problem+json``."""

from typing import Any

from pydantic import Field

from logistics_platform.entrypoints.http.schemas import CamelModel


class ProblemResponse(CamelModel):
    """RFC 9457 problem details (``error`` repeats ``detail`` for the guide's clients)."""

    type: str
    title: str
    status: int
    detail: str
    error: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="on invalid requests: each field and what is wrong"
    )


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring these statuses as problem+json."""
    schema = ProblemResponse.model_json_schema(by_alias=True)
    described = {404: "not found", 422: "invalid request", 503: "read store unavailable"}
    return {
        status: {
            "description": described.get(status, "problem"),
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }
