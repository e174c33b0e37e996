"""0003_email_campaign: names of marketing emails, for readable explanations."""

import sqlalchemy as sa
from alembic import op

revision = "0003_email_campaign"
down_revision = "0002_score_history"


def upgrade():
    op.create_table(
        "email_campaign",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("subject", sa.Text(), nullable=False),
    )
