"""One backoffice subscriber for a reservation's events: ``backoffice.tracking`` follows
``inventory.stock_item.reserved`` and ``logistics.package.registered``, which two
subscribers followed before. Their records carry over to it: the ids of the events they
handled (so none is applied twice), the in-process checkpoint (the lower of the two: what
lies between is found handled already), the projection progress (the lower too) and the
dead letters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = "backoffice.tracking"
FORMER = {
    "backoffice.track_on_stock_item_reserved": "inventory.stock_item.reserved",
    "backoffice.track_on_package_registered": "logistics.package.registered",
}


def upgrade() -> None:
    former: sa.BindParameter[list[str]] = sa.bindparam("former", list(FORMER), expanding=True)
    merged = {"merged": MERGED}
    # The two handled different events, so their ids cannot collide under one name.
    for table in ("processed_events", "dead_letters"):
        op.execute(
            sa.text(
                f"UPDATE {table} SET subscriber = :merged WHERE subscriber IN :former"
            ).bindparams(former, **merged)
        )
    op.execute(
        sa.text(
            "INSERT INTO subscription_checkpoints (subscriber, position)"
            " SELECT :merged, min(position) FROM subscription_checkpoints"
            " WHERE subscriber IN :former HAVING count(*) > 0"
        ).bindparams(former, **merged)
    )
    op.execute(
        sa.text(
            "INSERT INTO backoffice_projection_progress"
            " (projection, position, event_id, occurred_on, applied_at)"
            " SELECT :merged, position, event_id, occurred_on, applied_at"
            " FROM backoffice_projection_progress WHERE projection IN :former"
            " ORDER BY position IS NOT NULL, position LIMIT 1"
        ).bindparams(former, **merged)
    )
    for table, column in (
        ("subscription_checkpoints", "subscriber"),
        ("backoffice_projection_progress", "projection"),
    ):
        op.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN :former").bindparams(former))


def downgrade() -> None:
    merged = {"merged": MERGED}
    for name, event in FORMER.items():
        op.execute(
            sa.text(
                "UPDATE processed_events SET subscriber = :name WHERE subscriber = :merged"
                " AND event_id IN (SELECT event_id FROM outbox WHERE name = :event)"
            ).bindparams(name=name, event=event, **merged)
        )
        op.execute(
            sa.text(
                "UPDATE dead_letters SET subscriber = :name"
                " WHERE subscriber = :merged AND event_name = :event"
            ).bindparams(name=name, event=event, **merged)
        )
        for table, column, columns in (
            ("subscription_checkpoints", "subscriber", "position"),
            (
                "backoffice_projection_progress",
                "projection",
                "position, event_id, occurred_on, applied_at",
            ),
        ):
            op.execute(
                sa.text(
                    f"INSERT INTO {table} ({column}, {columns})"
                    f" SELECT :name, {columns} FROM {table} WHERE {column} = :merged"
                ).bindparams(name=name, **merged)
            )
    for table, column in (
        ("subscription_checkpoints", "subscriber"),
        ("backoffice_projection_progress", "projection"),
    ):
        op.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :merged").bindparams(**merged))
