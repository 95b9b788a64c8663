"""The backoffice read model on SQL: tracking views, the stock item catalog, progress.

On PostgreSQL the timeline is JSONB and a GIN index over ``to_tsvector('simple',
search_text)`` serves text search; SQLite matches words with ``LIKE`` (docs/adr/0004).
"""

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import JSONB

from logistics_platform.shared.infrastructure.persistence.database import metadata

TRACKING_VIEWS = "backoffice_tracking_views"

Timeline = JSON().with_variant(JSONB(), "postgresql")


def _tracking_columns() -> list[Column[Any]]:
    return [
        Column("reservation_id", String(100), primary_key=True),
        Column("stock_item_id", String(36), nullable=True),
        Column("stock_item_name", String(200), nullable=True),
        Column("reserved_quantity", BigInteger, nullable=True),
        Column("package_id", String(36), nullable=True),
        Column("tracking_number", String(10), nullable=True),
        Column("status", String(20), nullable=False),
        Column("timeline", Timeline, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=True),
        Column("version", Integer, nullable=False),
        Column("reserved_at", DateTime(timezone=True), nullable=True),
        Column("registered_at", DateTime(timezone=True), nullable=True),
        Column("delivered_at", DateTime(timezone=True), nullable=True),
        Column("search_text", Text, nullable=False, server_default=""),
        *lifecycle_columns(),
        Column("warehouse", String(20), nullable=True),  # migration 0010
    ]


def lifecycle_columns() -> list[Column[Any]]:
    """What migration 0007 added: the package's life after registration."""
    return [
        Column("carrier", String(50), nullable=True),
        Column("last_location", String(100), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("failures", Integer, nullable=False, server_default="0"),
        Column("signed_by", String(100), nullable=True),
        Column("reservation_status", String(20), nullable=True),
        Column("cancellation_refused", Timeline, nullable=True),
    ]


def tracking_table(name: str, target: MetaData) -> Table:
    """The tracking views table under ``name`` (the live one, or a rebuild's copy)."""
    return Table(name, target, *_tracking_columns())


def tracking_indexes(table: Table, *, suffix: str = "") -> list[Index]:
    """Its secondary indexes, named after the live table (plus ``suffix`` for a copy)."""
    c = table.c

    def name(columns: str) -> str:
        return f"ix_{TRACKING_VIEWS}_{columns}{suffix}"

    search = Index(
        name("search"),
        func.to_tsvector(literal_column("'simple'"), c.search_text),
        postgresql_using="gin",
    ).ddl_if(dialect="postgresql")
    table.append_constraint(search)  # an expression index is not attached on its own
    return [
        Index(name("status_created"), c.status, c.created_at),
        Index(name("stock_item_id"), c.stock_item_id),
        Index(name("tracking_number"), c.tracking_number),
        Index(name("created_at"), c.created_at, c.reservation_id),
        Index(name("updated_at"), c.updated_at, c.reservation_id),
        Index(name("carrier"), c.carrier),
        Index(name("warehouse"), c.warehouse),
        search,
    ]


tracking_views = tracking_table(TRACKING_VIEWS, metadata)
tracking_indexes(tracking_views)

stock_item_names = Table(
    "backoffice_stock_item_names",
    metadata,
    Column("stock_item_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("warehouse", String(20), nullable=True),
    Column("sku", String(64), nullable=True),
    Column("low_stock_threshold", BigInteger, nullable=True),
)

# Each stock item's units, summed from Inventory's stock events (a row may come before the
# item's name does: its events arrive in any order).
stock_figures = Table(
    "backoffice_stock_figures",
    metadata,
    Column("stock_item_id", String(36), primary_key=True),
    Column("available", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("shipped", BigInteger, nullable=False),
)

# Each stock item's latest low-stock event (by the item's version): an alert while ``low``.
stock_levels = Table(
    "backoffice_stock_levels",
    metadata,
    Column("stock_item_id", String(36), primary_key=True),
    Column("low", Boolean, nullable=False),
    Column("available", BigInteger, nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("version", BigInteger, nullable=False),
    Index("ix_backoffice_stock_levels_low_since", "low", "since"),
)

projection_progress = Table(
    "backoffice_projection_progress",
    metadata,
    Column("projection", String(200), primary_key=True),
    Column("position", BigInteger, nullable=True),
    Column("event_id", String(36), nullable=False),
    Column("occurred_on", DateTime(timezone=True), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Each package's SLA watch (backoffice.sla_watch): the facts (one per package version) and
# the kinds raised; for the monitor's indexed question, the time-based kind still open
# (none once raised, or for a status that is not timed) and since when.
sla_watch = Table(
    "sla_watch",
    metadata,
    Column("package_id", String(36), primary_key=True),
    Column("reservation_id", String(100), nullable=False),
    Column("tracking_number", String(10), nullable=True),
    Column("status", String(20), nullable=True),
    Column("since", DateTime(timezone=True), nullable=True),
    Column("carrier", String(50), nullable=True),
    Column("open_kind", String(30), nullable=True),
    Column("facts", Timeline, nullable=False),
    Column("raised", Timeline, nullable=False),
    Column("revision", Integer, nullable=False),
    Index("ix_sla_watch_open_kind_since", "open_kind", "since"),
)

# One row per package and breach kind: the unique key makes each breach raised once.
sla_breaches = Table(
    "sla_breaches",
    metadata,
    Column("package_id", String(36), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("reservation_id", String(100), nullable=False),
    Column("tracking_number", String(10), nullable=True),
    Column("status", String(20), nullable=False),
    Column("carrier", String(50), nullable=True),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("threshold_seconds", Float, nullable=True),
    Column("failures", Integer, nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Index("ix_sla_breaches_detected_at", "detected_at", "package_id"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    # The receiver verifies with it, so it is kept as given (as a password could not be).
    Column("secret", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per event and subscription (its id is the webhook-id); ``locked_until`` is the
# lease of the dispatcher trying it.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subscription_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "next_attempt_at"),
    Index("ix_webhook_deliveries_log", "subscription_id", "created_at"),
)
