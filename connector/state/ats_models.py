"""SQLModel tables of the ATS side: jobs, candidates (with the contact they matched), applications, stages seen,
row hashes of file exports, HubSpot owners and the recruiter → owner map. Timestamps are epoch ms."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel


def _ms(nullable: bool = True):
    return Field(default=None, sa_column=Column(BigInteger, nullable=nullable))


class AtsJob(SQLModel, table=True):
    """A vacancy as the ATS last described it."""

    __tablename__ = "ats_job"

    ats: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    state: str = "open"
    public_url: str | None = Field(default=None, sa_column=Column(Text))
    apply_url: str | None = Field(default=None, sa_column=Column(Text))
    recruiter: str | None = None
    updated_ms: int | None = _ms()


class AtsCandidate(SQLModel, table=True):
    """A person in the ATS and the HubSpot contact their emails matched (which email, or why none)."""

    __tablename__ = "ats_candidate"

    ats: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    emails: str = Field(default="", sa_column=Column(Text, nullable=False))   # ';'-separated, normalised
    first_name: str | None = None
    last_name: str | None = None
    updated_ms: int | None = _ms()
    contact_id: str | None = Field(default=None, index=True)
    matched_email: str | None = None
    match: str = "unmatched"                      # matched | unmatched | ambiguous | created


class AtsApplication(SQLModel, table=True):
    """One candidacy: phase (None when its stage is unmapped) and outcome, with the raw stage name."""

    __tablename__ = "ats_application"
    __table_args__ = (Index("ix_ats_application_candidate", "ats", "candidate_id"),)

    ats: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    candidate_id: str
    job_id: str | None = None
    phase: str | None = None
    outcome: str = "open"
    stage_name: str | None = None
    applied_ms: int | None = _ms()
    updated_ms: int | None = _ms()
    closed_ms: int | None = _ms()
    recruiter: str | None = None


class AtsStage(SQLModel, table=True):
    """Every stage name seen, how it was mapped and how many applications were in it at the last pull."""

    __tablename__ = "ats_stage"

    ats: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    phase: str | None = None
    outcome: str = "open"
    source: str = "unmapped"                      # native | override | keywords | unmapped
    count: int = 0
    seen_ms: int = Field(sa_column=Column(BigInteger, nullable=False))


class AtsRowHash(SQLModel, table=True):
    """Hash of each exported row last imported (file exports without updated_at are diffed by row)."""

    __tablename__ = "ats_row_hash"

    ats: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    hash: str


class AtsRecruiterOwner(SQLModel, table=True):
    """Recruiter email → HubSpot owner id as of the last sync: the override file, else owners v3 by email."""

    __tablename__ = "ats_recruiter_owner"

    recruiter: str = Field(primary_key=True)
    owner_id: str
    source: str                                   # override | email
