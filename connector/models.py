"""SQLModel tables of the local state: the joined HubSpot (and later ATS) model, scores and bookkeeping."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Contact(SQLModel, table=True):
    """A HubSpot contact as last pulled (snake_case past the HubSpot boundary)."""

    id: str = Field(primary_key=True)
    email: str | None = Field(default=None, index=True)
    additional_emails: str | None = None          # ';'-separated, lower-cased
    first_name: str | None = None
    last_name: str | None = None
    owner_id: str | None = None
    phone: str | None = None
    modified_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    web_last_ms: int | None = Field(default=None, sa_column=Column(BigInteger))   # rollup: latest page view HubSpot knows of
    merged_into: str | None = None                # set when HubSpot reports this id merged into another
    archived: bool = False
    pulled_at: datetime
    # The person's current email state as HubSpot's contact properties say it (None: not known): it wins where
    # the email event stream lacks the STATUSCHANGE/BOUNCE/UNBOUNCE or has only older ones (state/contact_state.py).
    email_optout: bool | None = None              # hs_email_optout: unsubscribed from all email
    email_bounced: bool | None = None             # hs_email_hard_bounce_reason_enum set, or hs_email_bad_address
    # When each value was first seen (the lastmodifieddate of that pull): our own writes move lastmodifieddate too,
    # so a state is only as new as its last change, not as the contact's last modification.
    email_optout_ms: int | None = Field(default=None, sa_column=Column(BigInteger))
    email_bounced_ms: int | None = Field(default=None, sa_column=Column(BigInteger))


class ContactAlias(SQLModel, table=True):
    """A contact id HubSpot merged away, and the id it resolves to now (always the last survivor of a chain)."""

    __tablename__ = "contact_alias"

    alias_id: str = Field(primary_key=True)
    survivor_id: str = Field(index=True)
    seen_at: datetime


class ContactEmail(SQLModel, table=True):
    """Normalized email → contact; one email on two contacts is an ambiguity, reported, not guessed."""

    email: str = Field(primary_key=True)
    contact_id: str = Field(primary_key=True, index=True)
    is_primary: bool = True


class Touchpoint(SQLModel, table=True):
    """One engagement event, unique per (source, source_id, kind); contact_id may be resolved later."""

    __table_args__ = (UniqueConstraint("source", "source_id", "kind", name="uq_touchpoint_source"),
                      Index("ix_touchpoint_contact_time", "contact_id", "occurred_ms"))

    id: int | None = Field(default=None, primary_key=True)
    source: str                                    # "email_event" | "web_event"
    source_id: str
    kind: str                                      # a scoring touchpoint kind
    contact_id: str | None = None
    recipient: str | None = Field(default=None, index=True)   # normalized email for email events
    occurred_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    key: str | None = None
    label: str | None = None
    url: str | None = Field(default=None, sa_column=Column(Text))
    device: str | None = None                      # mobile | desktop, where HubSpot's event says it


class WebCursor(SQLModel, table=True):
    """Per-contact position in the web analytics event stream (HubSpot serves it per object)."""

    contact_id: str = Field(primary_key=True)
    occurred_ms: int = Field(sa_column=Column(BigInteger, nullable=False))


class Cursor(SQLModel, table=True):
    """Where each stream resumes; only moves forward."""

    stream: str = Field(primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime


class PortalFact(SQLModel, table=True):
    """What setup learned about the portal: capabilities, scopes, tier."""

    key: str = Field(primary_key=True)
    value: str
    updated_at: datetime


class Run(SQLModel, table=True):
    """One sync, setup or backfill run, with counts, API calls and the outcome."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"                        # running | ok | failed | stopped
    counts: str = "{}"                             # JSON
    api_calls: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))


class Lease(SQLModel, table=True):
    """The run lease: one row per portal keeps two workers off the same state."""

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime


class ScoreRow(SQLModel, table=True):
    """Current score per contact."""

    __tablename__ = "score"

    contact_id: str = Field(primary_key=True)
    value: float
    band: str
    suppressed: bool = False
    reasons: str = Field(default="", sa_column=Column(Text, nullable=False))
    model_version: str
    last_touch_ms: int | None = Field(default=None, sa_column=Column(BigInteger))
    computed_at: datetime
    touch_count: int = 0
    horizon_exit_ms: int | None = Field(default=None, sa_column=Column(BigInteger))   # oldest counted touch leaves the horizon


class ScoreHistory(SQLModel, table=True):
    """The score of a contact at the end of each day it changed: answers trend and "score when the task fired"."""

    __tablename__ = "score_history"

    contact_id: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    value: float


class Pushed(SQLModel, table=True):
    """The last value written to HubSpot per (contact, property): pushes are diffs against it."""

    contact_id: str = Field(primary_key=True)
    property: str = Field(primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    pushed_at: datetime


class Quarantine(SQLModel, table=True):
    """A record that could not be taken in or written out, with the field that failed; never silently dropped."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = None
    source: str
    record_id: str
    field: str | None = None
    error: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    resolved: bool = False


class EmailCampaign(SQLModel, table=True):
    """Marketing email names (from SENT events' subject), so explain can say which mail was clicked."""

    __tablename__ = "email_campaign"

    id: str = Field(primary_key=True)
    subject: str = Field(sa_column=Column(Text, nullable=False))


class TaskTrigger(SQLModel, table=True):
    """Per contact: may a recruiter task fire (armed), when the last one fired, the band last seen."""

    __tablename__ = "task_trigger"

    contact_id: str = Field(primary_key=True)
    armed: bool = True
    last_fired_at: datetime | None = None
    band: str | None = None
    updated_at: datetime


class TaskOutbox(SQLModel, table=True):
    """One recruiter task intent, written (pending) before HubSpot is called; the key makes it exactly-once."""

    __tablename__ = "task_outbox"
    __table_args__ = (Index("ix_task_outbox_status", "status"), Index("ix_task_outbox_contact", "contact_id"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(Text, nullable=False, unique=True))   # idempotency key = objectWriteTraceId
    contact_id: str
    owner_id: str | None = None
    status: str = "pending"                     # pending | created | skipped | failed
    reason: str | None = Field(default=None, sa_column=Column(Text))   # why skipped, or HubSpot's last message
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    priority: str = "HIGH"
    due_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    score: int = 0
    band: str = ""
    hubspot_task_id: str | None = None
    attempts: int = 0                           # calls that may have reached HubSpot: > 0 means look before creating
    run_id: int | None = None
    created_at: datetime
    updated_at: datetime


class AbandonedFlag(SQLModel, table=True):
    """A forgotten application: an apply intent flagged for the reminder workflow, until cleared (and why)."""

    __tablename__ = "abandoned_flag"
    __table_args__ = (Index("ix_abandoned_flag_contact", "contact_id", "vacancy_key"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: str
    vacancy_key: str
    title: str = Field(sa_column=Column(Text, nullable=False))
    apply_url: str | None = Field(default=None, sa_column=Column(Text))
    intent_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    device: str | None = None
    flagged_at: datetime
    cleared_at: datetime | None = None
    clear_reason: str | None = None


class Forgotten(SQLModel, table=True):
    """A person purged locally (deleted in HubSpot, or `connector forget`): only a salted hash of the contact id
    or email stays, so nothing is pulled for or written to them again."""

    digest: str = Field(primary_key=True)        # sha256(salt + kind + ":" + value)
    kind: str                                    # "contact" | "email"
    reason: str                                  # "deleted in HubSpot" | "forget"
    forgotten_at: datetime


class Owner(SQLModel, table=True):
    """A HubSpot owner (recruiter) as last fetched: names `pool` and `connector owners` show instead of ids."""

    id: str = Field(primary_key=True)
    email: str | None = Field(default=None, index=True)    # lower-cased
    first_name: str | None = None
    last_name: str | None = None
    archived: bool = False                                  # the user left; HubSpot refuses it as a new owner
    fetched_at: datetime


# The ATS side registers its tables with the same metadata (connector/state/ats_models.py).
from connector.state import ats_models as _ats_models  # noqa: E402,F401
from connector.state import counter_models as _counter_models  # noqa: E402,F401
