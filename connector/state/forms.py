"""Form submissions in the local model: the stored vocabulary and the reads the abandoned-application step needs.

A submission is stored as touchpoints (table `touchpoint`, source FORM_SOURCE, source_id `<form guid>:<conversion
id>`): kind `application` for APPLICATION_FORM_IDS, `apply_intent` for START_APPLICATION_FORM_IDS, else
`form_submission`; `key` is the vacancy slug for the first two (None when the page names no vacancy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from connector.models import Touchpoint

FORM_SOURCE = "form"
APPLICATION, START_APPLICATION, OTHER = "application", "apply_intent", "form_submission"
ID_SEPARATOR = ":"


@dataclass(frozen=True)
class FormApplication:
    """One submission of an application form by a resolved contact."""

    form_id: str                     # the form's guid
    vacancy_key: str | None          # vacancy slug from the page URL (or the form's vacancy field); None if unknown
    page_url: str | None
    submitted_at: datetime           # UTC-aware


def source_id(form_id: str, conversion_id: str) -> str:
    return f"{form_id}{ID_SEPARATOR}{conversion_id}"


def form_id_of(stored_source_id: str) -> str:
    return stored_source_id.split(ID_SEPARATOR, 1)[0]


def form_kind(form_id: str, application_ids: Iterable[str], start_ids: Iterable[str]) -> str:
    """The touchpoint kind of a form's submissions (application forms win if a guid is in both settings)."""
    guid = form_id.lower()
    if guid in application_ids:
        return APPLICATION
    return START_APPLICATION if guid in start_ids else OTHER


def form_applications(session: Session, contact_ids: Iterable[str] | None = None) -> dict[str, list[FormApplication]]:
    """Contact id → its application-form submissions, oldest first; only contacts resolved from the email."""
    stmt = select(Touchpoint.contact_id, Touchpoint.source_id, Touchpoint.key, Touchpoint.url,
                  Touchpoint.occurred_ms).where(Touchpoint.source == FORM_SOURCE, Touchpoint.kind == APPLICATION,
                                                Touchpoint.contact_id.is_not(None))
    wanted = None if contact_ids is None else set(contact_ids)
    out: dict[str, list[FormApplication]] = {}
    for cid, sid, key, url, ms in session.exec(stmt.order_by(Touchpoint.occurred_ms, Touchpoint.id)):
        if wanted is None or cid in wanted:
            out.setdefault(cid, []).append(FormApplication(form_id_of(sid), key, url,
                                                           datetime.fromtimestamp(ms / 1000, UTC)))
    return out


def forms_configured(settings) -> bool:
    """True when APPLICATION_FORM_IDS names at least one form: form submissions count as applications."""
    return bool(settings.application_form_ids)
