"""HubSpot stream constants: endpoints, page sizes, caps and the property lists the connector reads."""

from __future__ import annotations

CONTACTS = "contacts"
SEARCH_PAGE_SIZE = 200                 # search max per page since Sep 2024 [C]
SEARCH_RESULT_CAP = 10_000             # paging past 10,000 results is a 400 [C]
BATCH_SIZE = 100                       # CRM batch endpoints take at most 100 inputs [C]
LIST_PAGE_SIZE = 100
LIST_MEMBERS_PAGE_SIZE = 250               # lists v3 memberships page maximum (SDK docstring)
OWNERS_PAGE_SIZE = 500
EPOCH_FLOOR_MS = 1_000                 # HubSpot answers 500 to searches at the epoch (Estuary code [V])

EMAIL_EVENTS_PATH = "/email/public/v1/events"
EMAIL_EVENTS_PAGE_SIZE = 1_000
EMAIL_EVENTS_WINDOW_MS = 30 * 24 * 3600 * 1000   # Airbyte steps P30D through this API [V]
# Re-read the last hour each run: recent data is not monotonic (Estuary trails a delayed stream by 1 h [V];
# Airbyte added a lookback for late records [V]). Events dedupe by id, so the overlap costs only a page or two.
EMAIL_EVENTS_OVERLAP_MS = 3600 * 1000

# Forms: definitions from marketing v3 (SDK), submissions from the v1 form-integrations feed (no SDK twin).
FORMS_PAGE_SIZE = 50                   # HubSpot documents no maximum for v3 forms; 50 stays below any cap [U]
FORM_TYPES = ["hubspot", "captured", "flow"]   # not blog_comment: blog comments are not candidate engagement
FORM_SUBMISSIONS_PATH = "/form-integrations/v1/submissions/forms/{guid}"
FORM_SUBMISSIONS_PAGE_SIZE = 50        # the documented maximum (v1 reference: 1 <= limit <= 50)
FORM_SUBMISSIONS_OVERLAP_MS = 3600 * 1000   # re-read the last hour, as for email events (late records)

WEB_EVENT_TYPE = "e_visited_page"
WEB_EVENTS_PAGE_SIZE = 100
WEB_EVENTS_PATH = "/events/v3/events/"
# Page views get the same re-read as email events: a view HubSpot records late, or one stamped exactly at the
# previous window's end (occurredBefore is exclusive), is read on the next run; ids dedupe them.
WEB_EVENTS_OVERLAP_MS = EMAIL_EVENTS_OVERLAP_MS
CONTACT_SEARCH_PATH = "/crm/v3/objects/contacts/search"
CONTACT_BATCH_READ_PATH = "/crm/v3/objects/contacts/batch/read"
COUNTER_MAX = 10**12                   # a lifetime counter above this is garbage, not a count

# Stream names for cursors.
CONTACTS_STREAM = "hubspot.contacts"
EMAIL_EVENTS_STREAM = "hubspot.email_events"
FORMS_STREAM_PREFIX = "hubspot.forms."         # + form guid: one cursor per form

# What the connector reads of a contact: whitelisted, in POST bodies, so no 414 can happen.
CONTACT_PROPERTIES = [
    "email", "firstname", "lastname", "hubspot_owner_id", "hs_additional_emails", "phone",
    "lastmodifieddate", "hs_object_id", "hs_merged_object_ids", "hs_calculated_merged_vids",
    "hs_analytics_last_timestamp",
    # The current email state (reference §3.13 [C]; the _enum and bad-address names [C] public schema dumps):
    "hs_email_optout", "hs_email_hard_bounce_reason_enum", "hs_email_bad_address",
    # web counters and the last session's time: every tier has them; scoring reads their rises where the portal
    # has no per-event web analytics (below Enterprise), see connector/counters.py
    "hs_analytics_num_visits", "hs_analytics_num_page_views", "hs_analytics_last_visit_timestamp",
]
# What contact search asks for: paging needs only these; the records come from batch/read.
CONTACT_PAGING_PROPERTIES = ["hs_object_id", "lastmodifieddate"]

# Email event types that are touchpoints; the rest (SENT, DELIVERED, ...) are not engagement.
EMAIL_TOUCH_TYPES = {"OPEN", "CLICK", "BOUNCE", "SPAMREPORT", "STATUSCHANGE"}
# Bounce categories that mean the address is dead (HubSpot's v1 docs list these bounce categories [U]).
HARD_BOUNCE_CATEGORIES = {"HARD_BOUNCE", "UNKNOWN_USER", "MAILBOX_MISCONFIGURATION", "POLICY", "SPAM"}

# Scopes the private app needs, and what each is for (reference hubspot-api.md §3.1; crm.schemas.* write is [U]).
REQUIRED_SCOPES = {
    "crm.objects.contacts.read": "read contacts and tasks",
    "crm.objects.contacts.write": "write te_* values and tasks",
    "crm.schemas.contacts.read": "read contact properties",
    "crm.schemas.contacts.write": "create the te_* properties",
    "crm.objects.owners.read": "assign tasks to owners",
    "content": "marketing email events",
}
# Needed only by `connector pool --list` and the forms step; reported, not demanded.
OPTIONAL_SCOPES = {"crm.lists.read": "read contact lists for `connector pool --list`",
                   "forms": "read forms and their submissions (applications, apply intents)"}
