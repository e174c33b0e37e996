"""0006_safety: email events keyed by HubSpot's identity (id plus created); salted hashes of purged people."""

import sqlalchemy as sa
from alembic import op

revision = "0006_safety"
down_revision = "0009_abandoned"


def upgrade():
    # Touchpoints of email events were keyed by id alone; HubSpot's identity is id plus created (the
    # touchpoint's occurred_ms), so two events sharing an id can both be kept from now on.
    op.execute("UPDATE touchpoint SET source_id = source_id || '@' || CAST(occurred_ms AS VARCHAR) "
               "WHERE source = 'email_event' AND source_id NOT LIKE '%@%'")
    op.create_table(
        "forgotten",
        sa.Column("digest", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(), nullable=False),
    )
