"""0011_counters: a snapshot of each contact's HubSpot web counters, so their rises become touchpoints once."""

import sqlalchemy as sa
from alembic import op

revision = "0011_counters"
down_revision = "0012_aliases"  # re-chained at merge (0012 landed first)


def upgrade():
    op.create_table(
        "counter_snapshot",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("modified_ms", sa.BigInteger(), nullable=False),
        sa.Column("visits", sa.BigInteger(), nullable=True),
        sa.Column("page_views", sa.BigInteger(), nullable=True),
        sa.Column("last_visit_ms", sa.BigInteger(), nullable=True),
        sa.Column("credited_visits", sa.BigInteger(), nullable=True),
        sa.Column("credited_page_views", sa.BigInteger(), nullable=True),
    )
