"""The backoffice read model on SQL (the embedded default read store)."""

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table

from logistics_platform.shared.infrastructure.database import metadata

tracking_views = Table(
    "backoffice_tracking_views",
    metadata,
    Column("reservation_id", String(100), primary_key=True),
    Column("stock_item_id", String(36), nullable=True, index=True),
    Column("stock_item_name", String(200), nullable=True),
    Column("reserved_quantity", BigInteger, nullable=True),
    Column("package_id", String(36), nullable=True),
    Column("tracking_number", String(10), nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("timeline", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_backoffice_tracking_views_status_created", "status", "created_at"),
)

stock_item_names = Table(
    "backoffice_stock_item_names",
    metadata,
    Column("stock_item_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
)
