"""Logistics' tables. Nothing outside Logistics reads them."""

from sqlalchemy import Column, DateTime, Integer, String, Table, func

from logistics_platform.shared.infrastructure.persistence.database import metadata

packages = Table(
    "logistics_packages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tracking_number", String(10), nullable=False, unique=True),
    Column("reservation_id", String(100), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
