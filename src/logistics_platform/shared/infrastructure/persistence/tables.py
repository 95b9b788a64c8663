"""The tables every context shares: the outbox (the event log), the record of events each
subscriber handled, the embedded delivery's checkpoints and its dead letters."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from logistics_platform.shared.infrastructure.persistence.database import BigSerial, metadata

outbox = Table(
    "outbox",
    metadata,
    Column("position", BigSerial, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("occurred_on", DateTime(timezone=True), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    # W3C trace context (JSON of traceparent/tracestate) of the span that recorded the
    # event; NULL when tracing is off.
    Column("trace_context", Text, nullable=True),
    Index(
        "ix_outbox_unpublished",
        "position",
        postgresql_where="published_at IS NULL",
        sqlite_where="published_at IS NULL",
    ),
    Index("ix_outbox_name_position", "name", "position"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("subscriber", String(200), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subscriber", "event_id"),
)

checkpoints = Table(
    "subscription_checkpoints",
    metadata,
    Column("subscriber", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigSerial, primary_key=True, autoincrement=True),
    Column("subscriber", String(200), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_name", String(200), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("subscriber", "event_id"),
)

# One row per Idempotency-Key an API was sent (scope: the API): the request's
# fingerprint, and once answered the answer; ``status`` NULL while it is in flight.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(50), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("content_type", String(200), nullable=True),
    Column("location", String(2000), nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("scope", "key"),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)
