"""The counter snapshot table: HubSpot's lifetime web counters per contact, as last read and as last credited."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class CounterSnapshot(SQLModel, table=True):
    """hs_analytics_num_visits / _num_page_views of one contact. `visits`/`page_views` are the last reading
    (committed with the contacts page that read it); `credited_*` is how far touchpoints were made from them
    (None: never credited yet). The touchpoints for a rise are made, and credited_* moved, in one transaction."""

    __tablename__ = "counter_snapshot"

    contact_id: str = Field(primary_key=True)
    modified_ms: int = Field(sa_column=Column(BigInteger, nullable=False))   # lastmodifieddate of the reading
    visits: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    page_views: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_visit_ms: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    credited_visits: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    credited_page_views: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
