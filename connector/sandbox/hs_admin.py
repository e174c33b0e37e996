"""What happens to a portal behind the connector's back, for tests: a contact deleted for good (a GDPR delete,
or the recycle bin emptied after 90 days), which leaves no record, no archive entry and no lastmodifieddate
change. (An archive without a change is `HubSpotSandbox.archive_contact`; an old-stamped contact is
`create_contact(at_ms=...)`.)"""

from __future__ import annotations


def delete_contact_for_good(sandbox, contact_id: str) -> None:
    """Remove the contact entirely: unknown to search, lists (live or archived), reads and writes [U: §3.12]."""
    portal = sandbox.portal
    with portal.lock:
        rec = portal.records["contacts"].pop(str(contact_id))
        email = rec.props.get("email", "").lower()
        if portal.by_email.get(email) == rec.id:
            del portal.by_email[email]
        for task_id in rec.assoc:
            task = portal.records["tasks"].get(task_id)
            if task is not None:
                task.assoc.discard(rec.id)
        portal.version += 1
