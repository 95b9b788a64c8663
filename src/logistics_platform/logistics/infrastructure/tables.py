"""Logistics' tables. Nothing outside Logistics reads them.

A package's history is a JSON list in its own row, not a child table: it is part of the
aggregate, always read and written whole with it, a handful of entries long, and one row
under one version check means a step can never add two entries or lose one."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, func

from logistics_platform.logistics.domain.values import HistoryEntry, PackageStatus
from logistics_platform.shared.infrastructure.persistence.database import metadata

packages = Table(
    "logistics_packages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tracking_number", String(10), nullable=False, unique=True),
    Column("reservation_id", String(100), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    # When it was registered: the package's createdAt.
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("carrier", String(50), nullable=True),
    Column("last_location", String(100), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("history", Text, nullable=False, server_default="[]"),
    Column("cancellation_refused", Text, nullable=True),
    Index("ix_logistics_packages_status", "status"),
)


def history_to_json(history: list[HistoryEntry]) -> str:
    return json.dumps([_entry_to_primitives(entry) for entry in history])


def history_from_json(text: str) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            status=PackageStatus(entry["status"]),
            occurred_on=datetime.fromisoformat(entry["occurredOn"]),
            location=entry["location"],
            note=entry["note"],
        )
        for entry in json.loads(text)
    ]


def _entry_to_primitives(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "status": entry.status.value,
        "occurredOn": entry.occurred_on.isoformat(),
        "location": entry.location,
        "note": entry.note,
    }
