"""PostgreSQL: every statement that appends to the outbox notifies the relays.

A statement-level trigger replaces the ``SELECT pg_notify(...)`` each event-recording
transaction used to send: one round trip less per command. The notification is
delivered on commit, and PostgreSQL folds identical ones within a transaction.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "outbox"  # relay.NOTIFY_CHANNEL


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION notify_outbox_appended() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_appended AFTER INSERT ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_appended()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_appended ON outbox")
    op.execute("DROP FUNCTION notify_outbox_appended()")
