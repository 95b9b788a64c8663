"""The tracking view follows the package's whole life; the catalog learns warehouse, sku
and threshold; each stock item's low-stock level.

Views stored before keep their timelines (entries without a version read as the
reservation's or the registration's); those with a reservation are ``held``, the only
state a reservation had before the lifecycle.

Revision ID: 0007
Revises: 0004 (re-chained after 0005/0006 at merge)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = "backoffice_tracking_views"
NAMES = "backoffice_stock_item_names"
LEVELS = "backoffice_stock_levels"
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table(VIEWS) as batch:
        batch.add_column(sa.Column("carrier", sa.String(50), nullable=True))
        batch.add_column(sa.Column("last_location", sa.String(100), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("signed_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reservation_status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("cancellation_refused", JSON, nullable=True))
    op.create_index(f"ix_{VIEWS}_carrier", VIEWS, ["carrier"])
    op.execute(
        sa.text(f"UPDATE {VIEWS} SET reservation_status = 'held' WHERE reserved_at IS NOT NULL")
    )
    with op.batch_alter_table(NAMES) as batch:
        batch.add_column(sa.Column("warehouse", sa.String(20), nullable=True))
        batch.add_column(sa.Column("sku", sa.String(64), nullable=True))
        batch.add_column(sa.Column("low_stock_threshold", sa.BigInteger(), nullable=True))
    op.create_table(
        LEVELS,
        sa.Column("stock_item_id", sa.String(36), nullable=False),
        sa.Column("low", sa.Boolean(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stock_item_id", name=f"pk_{LEVELS}"),
    )
    op.create_index(f"ix_{LEVELS}_low_since", LEVELS, ["low", "since"])


def downgrade() -> None:
    op.drop_table(LEVELS)
    with op.batch_alter_table(NAMES) as batch:
        for column in ("low_stock_threshold", "sku", "warehouse"):
            batch.drop_column(column)
    op.drop_index(f"ix_{VIEWS}_carrier", VIEWS)
    with op.batch_alter_table(VIEWS) as batch:
        for column in (
            "cancellation_refused",
            "reservation_status",
            "signed_by",
            "failures",
            "attempts",
            "last_location",
            "carrier",
        ):
            batch.drop_column(column)
