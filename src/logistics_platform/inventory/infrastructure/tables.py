"""Inventory's tables. Nothing outside Inventory reads them."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    false,
    func,
    text,
)

from logistics_platform.shared.infrastructure.persistence.database import metadata

stock_items = Table(
    "inventory_stock_items",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("available", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("warehouse", String(20), nullable=False, server_default="MAIN"),
    Column("sku", String(64), nullable=True),
    Column("low_stock_threshold", BigInteger, nullable=False, server_default="0"),
    Column("shipped", BigInteger, nullable=False, server_default="0"),
    Index("uq_inventory_stock_items_warehouse_sku", "warehouse", "sku", unique=True),
    Index("ix_inventory_stock_items_warehouse_name", "warehouse", "name"),
)

_HELD_WITH_EXPIRY = text("status = 'held' AND expires_at IS NOT NULL")

reservations = Table(
    "inventory_reservations",
    metadata,
    Column("reservation_id", String(100), primary_key=True),
    Column(
        "stock_item_id",
        String(36),
        ForeignKey("inventory_stock_items.id"),
        nullable=False,
        index=True,
    ),
    Column("quantity", BigInteger, nullable=False),
    Column("reserved_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", String(16), nullable=False, server_default="held"),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("restocked", Boolean, nullable=False, server_default=false()),
    Column("problem", String(40), nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),
    # The sweeper's question: which held reservations are due?
    Index(
        "ix_inventory_reservations_due",
        "expires_at",
        postgresql_where=_HELD_WITH_EXPIRY,
        sqlite_where=_HELD_WITH_EXPIRY,
    ),
)

receipts = Table(
    "inventory_receipts",
    metadata,
    Column("receipt_id", String(100), primary_key=True),
    Column("stock_item_id", String(36), ForeignKey("inventory_stock_items.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

counts = Table(
    "inventory_counts",
    metadata,
    Column("count_id", String(100), primary_key=True),
    Column("stock_item_id", String(36), ForeignKey("inventory_stock_items.id"), nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
