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
