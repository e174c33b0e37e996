"""0010_owners: the cache of the portal's HubSpot owners (for names in `pool` and `connector owners`), and contact phone."""

import sqlalchemy as sa
from alembic import op

revision = "0010_owners"
down_revision = "0005_ats"


def upgrade():
    op.add_column("contact", sa.Column("phone", sa.String(), nullable=True))
    op.create_table(
        "owner",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("last_name", sa.String(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_owner_email", "owner", ["email"])
