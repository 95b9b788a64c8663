"""The package lifecycle: carrier, last location, attempts, history, updated-at and a
refused cancellation on each package; existing packages become version 1 with their
registration as history. And the Idempotency-Key records of the APIs' commands.

Revision ID: 0006
Revises: 0004 (re-chained to 0005 when merged)
Create Date: 2026-12-10
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _package_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("carrier", sa.String(50), nullable=True),
        sa.Column("last_location", sa.String(100), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("history", sa.Text(), server_default="[]", nullable=False),
        sa.Column("cancellation_refused", sa.Text(), nullable=True),
    )


def upgrade() -> None:
    for column in _package_columns():
        op.add_column("logistics_packages", column)
    # SQLite adds no column defaulting to the time to a table with rows: filled, then
    # made NOT NULL (on SQLite by copying the table).
    op.add_column("logistics_packages", sa.Column("updated_at", sa.DateTime(timezone=True)))
    op.execute(sa.text("UPDATE logistics_packages SET updated_at = registered_at"))
    with op.batch_alter_table("logistics_packages") as batch:
        batch.alter_column(
            "updated_at",
            existing_type=sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        )
    op.create_index("ix_logistics_packages_status", "logistics_packages", ["status"])
    _give_existing_packages_their_registration()
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(50), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(200), nullable=True),
        sa.Column("location", sa.String(2000), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def _give_existing_packages_their_registration() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, registered_at FROM logistics_packages"))
    updates = [{"id": id, "at": at, "history": json.dumps([_registration(at)])} for id, at in rows]
    if updates:
        connection.execute(
            sa.text(
                "UPDATE logistics_packages SET version = 1, attempts = 0,"
                " history = :history WHERE id = :id"
            ),
            updates,
        )


def _registration(at: datetime | str) -> dict[str, object]:
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:  # SQLite keeps no offset: the platform writes UTC
        moment = moment.replace(tzinfo=UTC)
    return {
        "status": "registered",
        "occurredOn": moment.isoformat(),
        "location": None,
        "note": None,
    }


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", "idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_logistics_packages_status", "logistics_packages")
    with op.batch_alter_table("logistics_packages") as batch:
        for column in reversed(_package_columns()):
            batch.drop_column(column.name)
        batch.drop_column("updated_at")
    op.execute(sa.text("UPDATE logistics_packages SET version = 0"))
