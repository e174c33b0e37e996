"""0012_aliases: merged-away contact ids and the survivor they resolve to; the contact's current email state."""

import sqlalchemy as sa
from alembic import op

revision = "0012_aliases"
down_revision = "0010_owners"


def upgrade():
    op.create_table(
        "contact_alias",
        sa.Column("alias_id", sa.String(), primary_key=True),
        sa.Column("survivor_id", sa.String(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_contact_alias_survivor_id", "contact_alias", ["survivor_id"])
    op.add_column("contact", sa.Column("email_optout", sa.Boolean(), nullable=True))
    op.add_column("contact", sa.Column("email_bounced", sa.Boolean(), nullable=True))
    op.add_column("contact", sa.Column("email_optout_ms", sa.BigInteger(), nullable=True))
    op.add_column("contact", sa.Column("email_bounced_ms", sa.BigInteger(), nullable=True))


def downgrade():
    op.drop_column("contact", "email_bounced_ms")
    op.drop_column("contact", "email_optout_ms")
    op.drop_column("contact", "email_bounced")
    op.drop_column("contact", "email_optout")
    op.drop_index("ix_contact_alias_survivor_id", "contact_alias")
    op.drop_table("contact_alias")
