"""0009_abandoned: forgotten-application flags, and the device of a touchpoint (mobile / desktop)."""

import sqlalchemy as sa
from alembic import op

revision = "0009_abandoned"
down_revision = "0004_tasks"


def upgrade():
    op.add_column("touchpoint", sa.Column("device", sa.String(), nullable=True))
    op.create_table(
        "abandoned_flag",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contact_id", sa.String(), nullable=False),
        sa.Column("vacancy_key", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("apply_url", sa.Text(), nullable=True),
        sa.Column("intent_ms", sa.BigInteger(), nullable=False),
        sa.Column("device", sa.String(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("clear_reason", sa.String(), nullable=True),
    )
    op.create_index("ix_abandoned_flag_contact", "abandoned_flag", ["contact_id", "vacancy_key"])
