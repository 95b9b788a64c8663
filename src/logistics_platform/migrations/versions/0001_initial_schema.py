"""Initial schema: stock items, reservations, packages, tracking views, outbox, delivery.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigSerial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _now() -> sa.sql.functions.now:
    return sa.func.now()


def upgrade() -> None:
    op.create_table(
        "inventory_stock_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inventory_stock_items"),
    )
    op.create_table(
        "inventory_reservations",
        sa.Column("reservation_id", sa.String(100), nullable=False),
        sa.Column("stock_item_id", sa.String(36), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["inventory_stock_items.id"],
            name="fk_inventory_reservations_stock_item_id_inventory_stock_items",
        ),
        sa.PrimaryKeyConstraint("reservation_id", name="pk_inventory_reservations"),
    )
    op.create_index(
        "ix_inventory_reservations_stock_item_id", "inventory_reservations", ["stock_item_id"]
    )
    op.create_table(
        "logistics_packages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tracking_number", sa.String(10), nullable=False),
        sa.Column("reservation_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "registered_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_logistics_packages"),
        sa.UniqueConstraint("reservation_id", name="uq_logistics_packages_reservation_id"),
        sa.UniqueConstraint("tracking_number", name="uq_logistics_packages_tracking_number"),
    )
    op.create_table(
        "backoffice_stock_item_names",
        sa.Column("stock_item_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("stock_item_id", name="pk_backoffice_stock_item_names"),
    )
    op.create_table(
        "backoffice_tracking_views",
        sa.Column("reservation_id", sa.String(100), nullable=False),
        sa.Column("stock_item_id", sa.String(36), nullable=True),
        sa.Column("stock_item_name", sa.String(200), nullable=True),
        sa.Column("reserved_quantity", sa.BigInteger(), nullable=True),
        sa.Column("package_id", sa.String(36), nullable=True),
        sa.Column("tracking_number", sa.String(10), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reservation_id", name="pk_backoffice_tracking_views"),
    )
    op.create_index(
        "ix_backoffice_tracking_views_status_created",
        "backoffice_tracking_views",
        ["status", "created_at"],
    )
    op.create_index(
        "ix_backoffice_tracking_views_stock_item_id",
        "backoffice_tracking_views",
        ["stock_item_id"],
    )
    op.create_index(
        "ix_backoffice_tracking_views_tracking_number",
        "backoffice_tracking_views",
        ["tracking_number"],
    )
    op.create_table(
        "outbox",
        sa.Column("position", BigSerial, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aggregate_id", sa.String(64), nullable=False),
        sa.Column("occurred_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("position", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_name_position", "outbox", ["name", "position"])
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["position"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_events",
        sa.Column("subscriber", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("subscriber", "event_id", name="pk_processed_events"),
    )
    op.create_table(
        "subscription_checkpoints",
        sa.Column("subscriber", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subscriber", name="pk_subscription_checkpoints"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", BigSerial, autoincrement=True, nullable=False),
        sa.Column("subscriber", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_name", sa.String(200), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
        sa.UniqueConstraint("subscriber", "event_id", name="uq_dead_letters_subscriber_event_id"),
    )


def downgrade() -> None:
    for table in (
        "dead_letters",
        "subscription_checkpoints",
        "processed_events",
        "outbox",
        "backoffice_tracking_views",
        "backoffice_stock_item_names",
        "logistics_packages",
        "inventory_reservations",
        "inventory_stock_items",
    ):
        op.drop_table(table)
