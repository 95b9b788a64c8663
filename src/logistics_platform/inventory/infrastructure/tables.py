"""Inventory's tables. Nothing outside Inventory reads them."""

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Table, func

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
)

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
)
