"""HubSpotSandbox's test-side API, acting as the HubSpot UI or other apps: write contacts/events, read state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .hs_activity import contacts_with_email, email_event, web_event
from .hs_errors import ApiError
from .hs_forms import new_form, new_submission
from .hs_props import epoch_ms, iso_ms
from .hs_store import Portal


class SandboxUiMixin:
    """What the HubSpot UI, imports and other apps do to the portal, mixed into HubSpotSandbox."""

    portal: Portal
    now_ms: Callable[[], int]
    _base_ms: int

    def create_contact(self, properties: dict, *, at_ms: int | None = None) -> str:
        """Create a contact as the UI would (read-only rollups may be set too); returns its id."""
        with self.portal.lock:
            values = self._system_values(properties)
            return self.portal.create("contacts", values, at_ms or self.now_ms()).id

    def bulk_create_contacts(self, n: int, *, at_ms: int | None = None, properties: dict | None = None) -> list[str]:
        """Create n contacts stamped with the same millisecond, as an import does."""
        with self.portal.lock:
            stamp = at_ms or self.now_ms()
            base = self._system_values(properties or {})
            batch = next(self.portal._seq)
            ids = []
            for k in range(n):
                values = {"firstname": "Imported", "lastname": f"Candidate {k + 1}",
                          "email": f"import{batch}.{k + 1}@talent-import.example.org", **base}
                ids.append(self.portal.create("contacts", values, stamp, source="IMPORT").id)
            return ids

    def touch_contacts(self, ids, *, at_ms: int | None = None, properties: dict | None = None) -> None:
        """A bulk edit: every contact gets the same lastmodifieddate millisecond."""
        with self.portal.lock:
            stamp = at_ms or self.now_ms()
            values = self._system_values(properties or {})
            for contact_id in ids:
                rec = self._contact(contact_id)
                if not self.portal.apply(rec, values, stamp, "BULK_EDIT"):
                    self.portal.touch(rec, stamp)

    def merge_contacts(self, primary_id: str, merged_id: str) -> str:
        """Merge as HubSpot does now: returns the id of the new record both old ids resolve to."""
        with self.portal.lock:
            one, two = (self.portal.resolve("contacts", i) or self._contact(i) for i in (primary_id, merged_id))
            return self.portal.merge(one, two, self.now_ms()).id

    def archive_contact(self, contact_id: str) -> None:
        with self.portal.lock:
            self.portal.archive(self._contact(contact_id), self.now_ms())

    def set_search_lag(self, seconds: float) -> None:
        """From now on, search sees a write only `seconds` after it (0: at once); batch/read and GET at once."""
        with self.portal.lock:
            self.portal.index.set_lag(int(seconds * 1000), self.portal.records)

    def on_search(self, hook: Callable[[int], None]) -> None:
        """Call hook(n) before the portal answers its nth search from now on (under the portal's lock), e.g. to
        change contacts between two pages of a sync. reset() drops the hooks."""
        with self.portal.lock:
            self.portal.search_hooks.append(hook)

    def advance_clock(self, seconds: float) -> None:
        """Move the portal's clock forward, as if `seconds` had passed (search lags mature, stamps move on)."""
        self._base_ms += int(seconds * 1000)

    def add_email_event(self, **event) -> dict:
        """Add a marketing-email event (type, recipient, created ms, emailCampaignId/campaign_id, url, ...)."""
        with self.portal.lock:
            fields = dict(event)
            fields.setdefault("created", self.now_ms())
            if "emailCampaignId" in fields:
                fields["campaign_id"] = fields.pop("emailCampaignId")
            if "filteredEvent" in fields:
                fields["filtered"] = fields.pop("filteredEvent")
            built = self.portal.add_email_event(email_event(self.portal, **fields))
            for contact in contacts_with_email(self.portal, built["recipient"]):
                self.portal.refresh_rollups(contact, self.now_ms())
            return dict(built)

    def add_web_event(self, contact_id: str, *, url: str, occurred_at: datetime, title: str | None = None) -> dict:
        """Add a tracked page view for a contact and refresh its analytics rollups."""
        with self.portal.lock:
            rec = self.portal.resolve("contacts", str(contact_id)) or self._contact(contact_id)
            built = self.portal.add_web_event(rec.id, web_event(self.portal, ms=epoch_ms(occurred_at), url=url,
                                                                title=title or ""))
            self.portal.refresh_rollups(rec, self.now_ms())
            return dict(built)

    def add_form(self, name: str, fields: list[str] | None = None, *, form_type: str = "hubspot",
                 form_id: str | None = None, created_at: datetime | None = None) -> str:
        """Create a marketing form (contact field names; email first) as the form editor would; returns its guid."""
        with self.portal.lock:
            at = epoch_ms(created_at) if created_at else self.now_ms()
            return new_form(self.portal, name, fields or ["email", "firstname", "lastname"], at_ms=at,
                            form_type=form_type, form_id=form_id)["id"]

    def add_form_submission(self, form_id: str, values: dict[str, str], *, page_url: str,
                            submitted_at: datetime | None = None, conversion_id: str | None = None) -> dict:
        """A visitor submits the form on `page_url` (values by field name); returns the stored submission."""
        with self.portal.lock:
            at = epoch_ms(submitted_at) if submitted_at else self.now_ms()
            return dict(new_submission(self.portal, form_id, values, at_ms=at, page_url=page_url,
                                       conversion_id=conversion_id))

    def archive_form(self, form_id: str) -> None:
        with self.portal.lock:
            form = self.portal.forms[form_id]
            form["archived"], form["archived_ms"] = True, self.now_ms()

    def forms(self) -> list[dict]:
        """Every form (archived too) with its submission count."""
        with self.portal.lock:
            return [{"id": f["id"], "name": f["name"], "formType": f["formType"], "archived": f["archived"],
                     "submissions": len(self.portal.form_submissions.get(f["id"], []))}
                    for f in self.portal.forms.values()]

    def contact(self, contact_id: str) -> dict:
        """Current properties of a live or archived contact (wire strings)."""
        with self.portal.lock:
            rec = self.portal.records["contacts"].get(str(contact_id))
            if rec is None:
                raise KeyError(contact_id)
            return dict(rec.props)

    def contacts(self) -> list[dict]:
        with self.portal.lock:
            return [{"id": r.id, "properties": dict(r.props), "archived": False}
                    for r in sorted(self.portal.live("contacts"), key=lambda r: int(r.id))]

    def tasks(self) -> list[dict]:
        with self.portal.lock:
            return [{"id": t.id, "properties": dict(t.props), "contact_ids": sorted(t.assoc, key=int)}
                    for t in sorted(self.portal.live("tasks"), key=lambda r: int(r.id))]

    def add_owner(self, email: str, first: str = "Recruiter", last: str = "Example") -> str:
        """A HubSpot user who can own contacts and tasks; returns the owner id."""
        with self.portal.lock:
            owner_id = str(73_000_001 + len(self.portal.owners))
            stamp = iso_ms(self.now_ms())
            self.portal.owners[owner_id] = {
                "id": owner_id, "email": email, "type": "PERSON", "firstName": first, "lastName": last,
                "userId": 9_200_001 + len(self.portal.owners), "userIdIncludingInactive": 9_200_001,
                "createdAt": stamp, "updatedAt": stamp, "archived": False, "teams": []}
            return owner_id

    def deactivate_owner(self, owner_id: str) -> None:
        """The user left: HubSpot lists the owner as archived and refuses it as a new value."""
        with self.portal.lock:
            self.portal.owners[str(owner_id)]["archived"] = True

    def reactivate_owner(self, owner_id: str) -> None:
        with self.portal.lock:
            self.portal.owners[str(owner_id)]["archived"] = False

    def complete_task(self, task_id: str) -> None:
        """A recruiter marks the task done in HubSpot."""
        with self.portal.lock:
            task = self.portal.records["tasks"][str(task_id)]
            self.portal.apply(task, {"hs_task_status": "COMPLETED",
                                     "hs_task_completion_date": str(self.now_ms())}, self.now_ms())

    def delete_task(self, task_id: str) -> None:
        """A recruiter deletes the task (it goes to the recycle bin: archived)."""
        with self.portal.lock:
            self.portal.archive(self.portal.records["tasks"][str(task_id)], self.now_ms())

    def property_names(self, object_type: str = "contacts") -> set[str]:
        with self.portal.lock:
            return set(self.portal.defs[object_type])

    def owners(self) -> list[dict]:
        with self.portal.lock:
            return [dict(o) for o in self.portal.owners.values()]

    def _system_values(self, properties: dict) -> dict[str, str]:
        try:
            return self.portal.validate_write("contacts", properties, system=True)
        except ApiError as exc:
            raise ValueError(exc.body["message"]) from None

    def _contact(self, contact_id: str):
        rec = self.portal.records["contacts"].get(str(contact_id))
        if rec is None:
            raise KeyError(contact_id)
        return rec
