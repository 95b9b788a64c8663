"""Backoffice read side: status timestamps, search text, sort indexes, JSONB timeline and
full-text index on PostgreSQL, projection progress.

Existing views lack the new columns' values until ``logistics projections rebuild``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "backoffice_tracking_views"


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for column in ("reserved_at", "registered_at", "delivered_at"):
        op.add_column(TABLE, sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.add_column(TABLE, sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    op.create_index(f"ix_{TABLE}_created_at", TABLE, ["created_at", "reservation_id"])
    op.create_index(f"ix_{TABLE}_updated_at", TABLE, ["updated_at", "reservation_id"])
    if _on_postgresql():
        op.alter_column(
            TABLE,
            "timeline",
            type_=postgresql.JSONB(),
            existing_type=sa.JSON(),
            existing_nullable=False,
            postgresql_using="timeline::jsonb",
        )
        op.create_index(
            f"ix_{TABLE}_search",
            TABLE,
            [sa.text("to_tsvector('simple', search_text)")],
            postgresql_using="gin",
        )
    op.create_table(
        "backoffice_projection_progress",
        sa.Column("projection", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("occurred_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "applied_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("projection", name="pk_backoffice_projection_progress"),
    )


def downgrade() -> None:
    op.drop_table("backoffice_projection_progress")
    if _on_postgresql():
        op.drop_index(f"ix_{TABLE}_search", TABLE)
        op.alter_column(
            TABLE,
            "timeline",
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(),
            existing_nullable=False,
            postgresql_using="timeline::json",
        )
    op.drop_index(f"ix_{TABLE}_updated_at", TABLE)
    op.drop_index(f"ix_{TABLE}_created_at", TABLE)
    with op.batch_alter_table(TABLE) as batch:
        for column in ("search_text", "delivered_at", "registered_at", "reserved_at"):
            batch.drop_column(column)
