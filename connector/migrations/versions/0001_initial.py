"""0001_initial: contacts, emails, touchpoints, cursors, runs, lease, scores, pushed values, quarantine."""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None


def _ts(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "contact",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("email", sa.String(), index=True),
        sa.Column("additional_emails", sa.String()),
        sa.Column("first_name", sa.String()),
        sa.Column("last_name", sa.String()),
        sa.Column("owner_id", sa.String()),
        sa.Column("modified_ms", sa.BigInteger(), nullable=False),
        sa.Column("web_last_ms", sa.BigInteger()),
        sa.Column("merged_into", sa.String()),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        _ts("pulled_at"),
    )
    op.create_table(
        "contactemail",
        sa.Column("email", sa.String(), primary_key=True),
        sa.Column("contact_id", sa.String(), primary_key=True, index=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "touchpoint",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("contact_id", sa.String()),
        sa.Column("recipient", sa.String(), index=True),
        sa.Column("occurred_ms", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String()),
        sa.Column("label", sa.String()),
        sa.Column("url", sa.Text()),
        sa.UniqueConstraint("source", "source_id", "kind", name="uq_touchpoint_source"),
    )
    op.create_index("ix_touchpoint_contact_time", "touchpoint", ["contact_id", "occurred_ms"])
    op.create_table(
        "webcursor",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("occurred_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "cursor",
        sa.Column("stream", sa.String(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "portalfact",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", sa.String(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("holder", sa.String(), nullable=False),
        _ts("expires_at"),
    )
    op.create_table(
        "score",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("band", sa.String(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("last_touch_ms", sa.BigInteger()),
        _ts("computed_at"),
        sa.Column("touch_count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "pushed",
        sa.Column("contact_id", sa.String(), primary_key=True),
        sa.Column("property", sa.String(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        _ts("pushed_at"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer()),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("field", sa.String()),
        sa.Column("error", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.Column("resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
