"""The person's current email state from HubSpot's contact properties, as derived state touchpoints.

The negatives follow the current state (DESIGN.md §4). The email event stream says it event by event, but a
STATUSCHANGE, BOUNCE or UNBOUNCE can be missing (older than the lookback, an unsubscribe made in the CRM or by an
import, an address unbounced by an admin) or older than the state HubSpot shows now. The contact's properties
`hs_email_optout` ("Unsubscribed from all email") and `hs_email_hard_bounce_reason_enum` / `hs_email_bad_address`
(reference hubspot-api.md §3.13 [C]; which values the enumeration takes is not documented [U], so any value is a
hard bounce) are the state as of the pull that first saw the value (store.save_contacts keeps that time while
the value stays: our own writes move lastmodifieddate too): where the stored touchpoints disagree and are
older, a derived touchpoint of the state's kind is added at that time (source "contact_state"), so the scorer's
ordinary rules (a negative floors, a later re-subscribe or delivery lifts it) give the current state. The scoring
engine is unchanged. One derived row per contact and state time, so a state that flips back and forth adds rows
(and the touch count that makes the scorer look again) only when it flips.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, select

from connector.models import Contact, Touchpoint

STATE_SOURCE = "contact_state"
# (negative kinds, lifting kind) per state: what the scorer's LIFTS pair up (scoring/records.py).
SUBSCRIPTION = (("unsubscribe", "spam_report"), "resubscribe")
BOUNCE = (("hard_bounce",), "delivered")
STATE_KINDS = ("unsubscribe", "spam_report", "resubscribe", "hard_bounce", "delivered")


def apply_contact_states(session: Session, insert) -> int:
    """Add the derived touchpoints where a contact's current state differs from its stored touchpoints' and is
    newer; `insert` stores rows (store.save_touchpoints). Returns how many were added."""
    latest: dict[str, dict[str, int]] = {}
    for cid, kind, ms in session.exec(select(Touchpoint.contact_id, Touchpoint.kind, func.max(Touchpoint.occurred_ms))
                                      .where(Touchpoint.contact_id.is_not(None), Touchpoint.kind.in_(STATE_KINDS))
                                      .group_by(Touchpoint.contact_id, Touchpoint.kind)):
        latest.setdefault(cid, {})[kind] = ms
    candidates = session.exec(select(Contact.id, Contact.email_optout, Contact.email_optout_ms, Contact.email_bounced,
                                     Contact.email_bounced_ms).where(
        Contact.merged_into.is_(None), Contact.archived.is_(False),
        or_(Contact.email_optout.is_(True), Contact.email_bounced.is_(True), Contact.id.in_(list(latest))
            if len(latest) < 30_000 else Contact.email_optout.is_not(None))))
    rows = []
    for cid, optout, optout_ms, bounced, bounced_ms in candidates:
        seen = latest.get(cid, {})
        for flag, modified, (negatives, lifter) in ((optout, optout_ms, SUBSCRIPTION), (bounced, bounced_ms, BOUNCE)):
            if flag is None or modified is None:
                continue
            last_negative = max((seen.get(k, -1) for k in negatives), default=-1)
            last_lift = seen.get(lifter, -1)
            in_force = last_negative > last_lift
            if flag and not in_force and modified > last_lift:
                rows.append(_row(cid, negatives[0], modified))
            elif not flag and in_force and modified > last_negative:
                rows.append(_row(cid, lifter, modified))
    return insert(session, rows) if rows else 0


def _row(contact_id: str, kind: str, at_ms: int) -> dict:
    return {"source": STATE_SOURCE, "source_id": f"{contact_id}@{at_ms}", "kind": kind, "contact_id": contact_id,
            "recipient": None, "occurred_ms": at_ms, "key": None, "label": None, "url": None, "device": None}
