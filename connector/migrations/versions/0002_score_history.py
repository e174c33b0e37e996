"""0002_score_history: daily score history (trend, score at task time) and the horizon exit of each score."""

import sqlalchemy as sa
from alembic import op

revision = "0002_score_history"
down_revision = "0001_initial"


def upgrade():
    with op.batch_alter_table("score") as batch:
        batch.add_column(sa.Column("horizon_exit_ms", sa.BigInteger()))
    op.create_table(
        "score_history",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
    )
