"""SLA alerts: each package's watch (backoffice.sla_watch) and the breaches raised, one per
package and kind.

Packages registered before this revision are watched from their next event on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sla_watch",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("reservation_id", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(10), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carrier", sa.String(50), nullable=True),
        sa.Column("open_kind", sa.String(30), nullable=True),
        sa.Column("facts", _JSON, nullable=False),
        sa.Column("raised", _JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", name="pk_sla_watch"),
    )
    op.create_index("ix_sla_watch_open_kind_since", "sla_watch", ["open_kind", "since"])
    op.create_table(
        "sla_breaches",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reservation_id", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(10), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("carrier", sa.String(50), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("threshold_seconds", sa.Float(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "kind", name="pk_sla_breaches"),
    )
    op.create_index("ix_sla_breaches_detected_at", "sla_breaches", ["detected_at", "package_id"])


def downgrade() -> None:
    op.drop_table("sla_breaches")
    op.drop_table("sla_watch")
