"""Inventory follows the package: warehouses, SKUs, low-stock thresholds and shipped units
on stock items; a status, an expiry, a restock flag, a problem and a version on
reservations; receipts and counts booked once each. Existing items land in warehouse MAIN
with threshold 0 and nothing shipped; existing reservations are held, without expiry.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HELD_WITH_EXPIRY = sa.text("status = 'held' AND expires_at IS NOT NULL")


def upgrade() -> None:
    items, reservations = "inventory_stock_items", "inventory_reservations"
    op.add_column(
        items, sa.Column("warehouse", sa.String(20), server_default="MAIN", nullable=False)
    )
    op.add_column(items, sa.Column("sku", sa.String(64), nullable=True))
    op.add_column(
        items, sa.Column("low_stock_threshold", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(items, sa.Column("shipped", sa.BigInteger(), server_default="0", nullable=False))
    op.create_index(
        "uq_inventory_stock_items_warehouse_sku", items, ["warehouse", "sku"], unique=True
    )
    op.create_index("ix_inventory_stock_items_warehouse_name", items, ["warehouse", "name"])
    op.add_column(
        reservations, sa.Column("status", sa.String(16), server_default="held", nullable=False)
    )
    op.add_column(reservations, sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        reservations,
        sa.Column("restocked", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(reservations, sa.Column("problem", sa.String(40), nullable=True))
    op.add_column(
        reservations, sa.Column("version", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index(
        "ix_inventory_reservations_due",
        reservations,
        ["expires_at"],
        postgresql_where=_HELD_WITH_EXPIRY,
        sqlite_where=_HELD_WITH_EXPIRY,
    )
    for table, key, columns in (
        (
            "inventory_receipts",
            "receipt_id",
            [sa.Column("quantity", sa.BigInteger(), nullable=False)],
        ),
        (
            "inventory_counts",
            "count_id",
            [
                sa.Column("on_hand", sa.BigInteger(), nullable=False),
                sa.Column("reason", sa.String(200), nullable=False),
            ],
        ),
    ):
        op.create_table(
            table,
            sa.Column(key, sa.String(100), nullable=False),
            sa.Column("stock_item_id", sa.String(36), nullable=False),
            *columns,
            sa.Column(
                "booked_at",
                sa.DateTime(timezone=True),
                server_default=sa.func.now(),
                nullable=False,
            ),
            sa.ForeignKeyConstraint(
                ["stock_item_id"], [f"{items}.id"], name=f"fk_{table}_stock_item_id_{items}"
            ),
            sa.PrimaryKeyConstraint(key, name=f"pk_{table}"),
        )


def downgrade() -> None:
    op.drop_table("inventory_counts")
    op.drop_table("inventory_receipts")
    op.drop_index("ix_inventory_reservations_due", "inventory_reservations")
    with op.batch_alter_table("inventory_reservations") as table:
        for column in ("version", "problem", "restocked", "expires_at", "status"):
            table.drop_column(column)
    op.drop_index("ix_inventory_stock_items_warehouse_name", "inventory_stock_items")
    op.drop_index("uq_inventory_stock_items_warehouse_sku", "inventory_stock_items")
    with op.batch_alter_table("inventory_stock_items") as table:
        for column in ("shipped", "low_stock_threshold", "sku", "warehouse"):
            table.drop_column(column)
