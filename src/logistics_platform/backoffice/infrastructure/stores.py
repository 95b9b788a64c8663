"""Choosing and opening the read store from settings (READ_STORE, ELASTICSEARCH_URL)."""

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.ports import TrackingStore
from logistics_platform.backoffice.infrastructure.sql_store import SqlTrackingStore
from logistics_platform.config import Settings

ES_REQUEST_TIMEOUT = 10.0


def read_store_kind(settings: Settings) -> Literal["sql", "elasticsearch"]:
    """READ_STORE if set; otherwise Elasticsearch exactly when ELASTICSEARCH_URL is set."""
    if settings.read_store is not None:
        return settings.read_store
    return "elasticsearch" if settings.elasticsearch_url else "sql"


def tracking_store(settings: Settings, engine: AsyncEngine) -> TrackingStore:
    """The configured store, not started yet (no request made)."""
    if read_store_kind(settings) == "sql":
        return SqlTrackingStore(engine)
    if not settings.elasticsearch_url:
        raise ValueError("READ_STORE=elasticsearch needs ELASTICSEARCH_URL")
    # Only here: importing Elasticsearch's client costs about a second of start-up.
    from elasticsearch import AsyncElasticsearch  # noqa: PLC0415

    from logistics_platform.backoffice.infrastructure.es_store import EsTrackingStore  # noqa: PLC0415

    client = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=ES_REQUEST_TIMEOUT)
    return EsTrackingStore(client, engine, alias=settings.elasticsearch_index)
