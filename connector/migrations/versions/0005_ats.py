"""0005_ats: the ATS side (jobs, candidates and their matched contact, applications, stages seen, export row
hashes), HubSpot owners and the recruiter → owner map."""

import sqlalchemy as sa
from alembic import op

revision = "0005_ats"
down_revision = "0006_safety"


def _ms(name, nullable=True):
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def upgrade():
    op.create_table(
        "ats_job",
        sa.Column("ats", sa.String(), primary_key=True), sa.Column("id", sa.String(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False), sa.Column("state", sa.String(), nullable=False),
        sa.Column("public_url", sa.Text()), sa.Column("apply_url", sa.Text()), sa.Column("recruiter", sa.String()),
        _ms("updated_ms"),
    )
    op.create_table(
        "ats_candidate",
        sa.Column("ats", sa.String(), primary_key=True), sa.Column("id", sa.String(), primary_key=True),
        sa.Column("emails", sa.Text(), nullable=False), sa.Column("first_name", sa.String()),
        sa.Column("last_name", sa.String()), _ms("updated_ms"), sa.Column("contact_id", sa.String()),
        sa.Column("matched_email", sa.String()), sa.Column("match", sa.String(), nullable=False),
    )
    op.create_index("ix_ats_candidate_contact_id", "ats_candidate", ["contact_id"])
    op.create_table(
        "ats_application",
        sa.Column("ats", sa.String(), primary_key=True), sa.Column("id", sa.String(), primary_key=True),
        sa.Column("candidate_id", sa.String(), nullable=False), sa.Column("job_id", sa.String()),
        sa.Column("phase", sa.String()), sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("stage_name", sa.String()), _ms("applied_ms"), _ms("updated_ms"), _ms("closed_ms"),
        sa.Column("recruiter", sa.String()),
    )
    op.create_index("ix_ats_application_candidate", "ats_application", ["ats", "candidate_id"])
    op.create_table(
        "ats_stage",
        sa.Column("ats", sa.String(), primary_key=True), sa.Column("name", sa.String(), primary_key=True),
        sa.Column("phase", sa.String()), sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False), sa.Column("count", sa.Integer(), nullable=False),
        _ms("seen_ms", nullable=False),
    )
    op.create_table(
        "ats_row_hash",
        sa.Column("ats", sa.String(), primary_key=True), sa.Column("key", sa.String(), primary_key=True),
        sa.Column("hash", sa.String(), nullable=False),
    )
    op.create_table(
        "ats_recruiter_owner",
        sa.Column("recruiter", sa.String(), primary_key=True), sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
    )
