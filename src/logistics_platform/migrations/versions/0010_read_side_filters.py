"""The read side filters by carrier and warehouse, and keeps each stock item's units.

Tracking views gain ``warehouse`` (indexed; filled here from the catalog for views whose
item is known). ``backoffice_stock_figures`` sums Inventory's stock events per item; the
catalog subscriber follows those events from now on. So that each event counts exactly
once, the units are filled here from the event log (the outbox): the ``added`` events
the catalog subscriber already handled, and every event it newly follows, which are
recorded as handled by it (a later delivery of one of them then changes nothing).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = "backoffice_tracking_views"
NAMES = "backoffice_stock_item_names"
FIGURES = "backoffice_stock_figures"
CATALOG = "backoffice.catalog_on_stock_item_added"
ADDED = "inventory.stock_item.added"
# Each event's attribute and its sign on (available, reserved, shipped), as of this
# revision (the projection's table may change later; this one must not).
NEWLY_FOLLOWED = {
    "inventory.stock_item.reserved": ("quantity", (-1, 1, 0)),
    "inventory.reservation.released": ("quantity", (1, -1, 0)),
    "inventory.reservation.expired": ("quantity", (1, -1, 0)),
    "inventory.reservation.committed": ("quantity", (0, -1, 1)),
    "inventory.stock_item.replenished": ("quantity", (1, 0, 0)),
    "inventory.stock_item.adjusted": ("delta", (1, 0, 0)),
    "inventory.stock_item.restocked": ("quantity", (1, 0, -1)),
}
COUNTED = {ADDED: ("quantity", (1, 0, 0)), **NEWLY_FOLLOWED}


def upgrade() -> None:
    with op.batch_alter_table(VIEWS) as batch:
        batch.add_column(sa.Column("warehouse", sa.String(20), nullable=True))
    op.create_index(f"ix_{VIEWS}_warehouse", VIEWS, ["warehouse"])
    op.execute(
        sa.text(
            f"UPDATE {VIEWS} SET warehouse = (SELECT warehouse FROM {NAMES}"
            f" WHERE {NAMES}.stock_item_id = {VIEWS}.stock_item_id)"
            " WHERE stock_item_id IS NOT NULL"
        )
    )
    op.create_table(
        FIGURES,
        sa.Column("stock_item_id", sa.String(36), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("shipped", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stock_item_id", name=f"pk_{FIGURES}"),
    )
    _count_the_log()


def _count_the_log() -> None:
    bind = op.get_bind()
    names: sa.BindParameter[list[str]] = sa.bindparam("names", expanding=True)
    rows = bind.execute(
        sa.text(
            "SELECT aggregate_id, name, envelope FROM outbox WHERE name IN :names"
            " AND (name <> :added OR event_id IN"
            " (SELECT event_id FROM processed_events WHERE subscriber = :catalog))"
        ).bindparams(names),
        {"names": list(COUNTED), "added": ADDED, "catalog": CATALOG},
    )
    totals: dict[str, list[int]] = {}
    for item, name, envelope in rows:
        attribute, signs = COUNTED[name]
        units = _units(envelope, attribute)
        if units is None:
            continue
        total = totals.setdefault(item, [0, 0, 0])
        for figure, sign in enumerate(signs):
            total[figure] += sign * units
    if totals:
        bind.execute(
            sa.text(
                f"INSERT INTO {FIGURES} (stock_item_id, available, reserved, shipped)"
                " VALUES (:item, :available, :reserved, :shipped)"
            ),
            [
                {"item": item, "available": a, "reserved": r, "shipped": s}
                for item, (a, r, s) in totals.items()
            ],
        )
    bind.execute(
        sa.text(
            "INSERT INTO processed_events (subscriber, event_id)"
            " SELECT :catalog, event_id FROM outbox WHERE name IN :names"
            " ON CONFLICT DO NOTHING"
        ).bindparams(names),
        {"catalog": CATALOG, "names": list(NEWLY_FOLLOWED)},
    )


def _units(envelope: str, attribute: str) -> int | None:
    """The event's units, or None for an envelope the projection refuses too."""
    try:
        units = json.loads(envelope)["data"]["attributes"][attribute]
    except (ValueError, KeyError, TypeError):
        return None
    return units if type(units) is int else None


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM processed_events WHERE subscriber = :catalog AND event_id IN"
            " (SELECT event_id FROM outbox WHERE name IN :names)"
        )
        .bindparams(sa.bindparam("names", expanding=True))
        .bindparams(catalog=CATALOG, names=list(NEWLY_FOLLOWED))
    )
    op.drop_table(FIGURES)
    op.drop_index(f"ix_{VIEWS}_warehouse", VIEWS)
    with op.batch_alter_table(VIEWS) as batch:
        batch.drop_column("warehouse")
