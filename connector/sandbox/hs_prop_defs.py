"""HubSpot's standard contact and task property definitions, their groups, options and per-object metadata."""

from __future__ import annotations

from .hs_props import PropertyDef


def _options(*values: str) -> list[dict]:
    return [{"label": v.replace("_", " ").title(), "value": v, "displayOrder": i, "hidden": False}
            for i, v in enumerate(values)]


BOOL_OPTIONS = [{"label": "True", "value": "true", "displayOrder": 0, "hidden": False},
                {"label": "False", "value": "false", "displayOrder": 1, "hidden": False}]
LIFECYCLE = _options("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                     "customer", "evangelist", "other")
LEAD_STATUS = _options("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
                       "CONNECTED", "BAD_TIMING")
SOURCES = _options("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
                   "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL")
TASK_STATUS = _options("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
TASK_PRIORITY = _options("NONE", "LOW", "MEDIUM", "HIGH")
HARD_BOUNCE_REASONS = _options("UNKNOWN_USER", "MAILBOX_MISCONFIGURATION", "DOMAIN_REPUTATION", "OTHER")
TASK_TYPE = _options("EMAIL", "CALL", "TODO", "LINKED_IN")

GROUPS = {
    "contacts": [("contactinformation", "Contact information"), ("emailinformation", "Email information"),
                 ("analyticsinformation", "Web analytics history"),
                 ("conversioninformation", "Conversion information"), ("sales_properties", "Sales properties")],
    "tasks": [("task", "Task information")],
}
RO, RW = True, False
# (name, label, type, fieldType, group, read_only, options)
_CONTACTS = [
    ("email", "Email", "string", "text", "contactinformation", RW, None),
    ("firstname", "First Name", "string", "text", "contactinformation", RW, None),
    ("lastname", "Last Name", "string", "text", "contactinformation", RW, None),
    ("phone", "Phone Number", "string", "text", "contactinformation", RW, None),
    ("company", "Company Name", "string", "text", "contactinformation", RW, None),
    ("jobtitle", "Job Title", "string", "text", "contactinformation", RW, None),
    ("city", "City", "string", "text", "contactinformation", RW, None),
    ("country", "Country/Region", "string", "text", "contactinformation", RW, None),
    ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", RW, LIFECYCLE),
    ("hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties", RW, LEAD_STATUS),
    ("hubspot_owner_id", "Contact owner", "enumeration", "select", "sales_properties", RW, []),
    ("hs_additional_emails", "Additional email addresses", "string", "textarea", "contactinformation", RO, None),
    ("createdate", "Create Date", "datetime", "date", "contactinformation", RO, None),
    ("lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation", RO, None),
    ("hs_object_id", "Record ID", "number", "number", "contactinformation", RO, None),
    ("hs_merged_object_ids", "Merged record IDs", "string", "text", "contactinformation", RO, None),
    ("hs_calculated_merged_vids", "Merged Contact IDs", "string", "text", "contactinformation", RO, None),
    ("hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox", "emailinformation", RO,
     BOOL_OPTIONS),
    ("hs_email_bounce", "Marketing emails bounced", "number", "number", "emailinformation", RO, None),
    ("hs_email_hard_bounce_reason", "Email hard bounce reason", "string", "text", "emailinformation", RO, None),
    # [C] public schema dumps list both; the enumeration's values are not documented [U]: bounce categories here.
    ("hs_email_hard_bounce_reason_enum", "Email hard bounce reason", "enumeration", "select", "emailinformation", RO,
     HARD_BOUNCE_REASONS),
    ("hs_email_bad_address", "Invalid email address", "bool", "booleancheckbox", "emailinformation", RO,
     BOOL_OPTIONS),
    ("hs_email_delivered", "Marketing emails delivered", "number", "number", "emailinformation", RO, None),
    ("hs_email_open", "Marketing emails opened", "number", "number", "emailinformation", RO, None),
    ("hs_email_click", "Marketing emails clicked", "number", "number", "emailinformation", RO, None),
    ("hs_email_first_open_date", "First marketing email open date", "datetime", "date", "emailinformation",
     RO, None),
    ("hs_email_last_open_date", "Last marketing email open date", "datetime", "date", "emailinformation",
     RO, None),
    ("hs_email_last_click_date", "Last marketing email click date", "datetime", "date", "emailinformation",
     RO, None),
    ("hs_email_last_send_date", "Last marketing email send date", "datetime", "date", "emailinformation",
     RO, None),
    ("hs_email_last_email_name", "Last marketing email name", "string", "text", "emailinformation", RO, None),
    ("hs_email_sends_since_last_engagement", "Sends since last engagement", "number", "number",
     "emailinformation", RO, None),
    ("hs_analytics_num_page_views", "Number of Pageviews", "number", "number", "analyticsinformation", RO, None),
    ("hs_analytics_num_visits", "Number of Sessions", "number", "number", "analyticsinformation", RO, None),
    ("hs_analytics_num_event_completions", "Number of event completions", "number", "number",
     "analyticsinformation", RO, None),
    ("hs_analytics_first_timestamp", "Time First Seen", "datetime", "date", "analyticsinformation", RO, None),
    ("hs_analytics_last_timestamp", "Time Last Seen", "datetime", "date", "analyticsinformation", RO, None),
    ("hs_analytics_first_visit_timestamp", "Time of First Session", "datetime", "date", "analyticsinformation",
     RO, None),
    ("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime", "date", "analyticsinformation",
     RO, None),
    ("hs_analytics_first_url", "First Page Seen", "string", "text", "analyticsinformation", RO, None),
    ("hs_analytics_last_url", "Last Page Seen", "string", "text", "analyticsinformation", RO, None),
    ("hs_analytics_last_referrer", "Last Referring Site", "string", "text", "analyticsinformation", RO, None),
    ("hs_analytics_source", "Original Traffic Source", "enumeration", "select", "analyticsinformation", RO,
     SOURCES),
    ("num_conversion_events", "Number of Form Submissions", "number", "number", "conversioninformation", RO,
     None),
    ("recent_conversion_date", "Recent Conversion Date", "datetime", "date", "conversioninformation", RO, None),
    ("recent_conversion_event_name", "Recent Conversion", "string", "text", "conversioninformation", RO, None),
    ("notes_last_contacted", "Last Contacted", "datetime", "date", "sales_properties", RO, None),
]
_TASKS = [
    ("hs_timestamp", "Due date", "datetime", "date", "task", RW, None),
    ("hs_task_subject", "Task Title", "string", "text", "task", RW, None),
    ("hs_task_body", "Notes", "string", "textarea", "task", RW, None),
    ("hs_task_status", "Task Status", "enumeration", "select", "task", RW, TASK_STATUS),
    ("hs_task_priority", "Priority", "enumeration", "select", "task", RW, TASK_PRIORITY),
    ("hs_task_type", "Task Type", "enumeration", "select", "task", RW, TASK_TYPE),
    ("hs_task_reminders", "Reminders", "string", "text", "task", RW, None),
    ("hubspot_owner_id", "Assigned to", "enumeration", "select", "task", RW, []),
    ("hs_task_completion_date", "Completed at", "datetime", "date", "task", RO, None),
    ("hs_createdate", "Create date", "datetime", "date", "task", RO, None),
    ("hs_lastmodifieddate", "Last modified date", "datetime", "date", "task", RO, None),
    ("hs_object_id", "Record ID", "number", "number", "task", RO, None),
]
STANDARD = {"contacts": _CONTACTS, "tasks": _TASKS}
# Per object type: (created property, modified property, always-returned properties, defaults when none asked).
OBJECT_META = {
    "contacts": ("createdate", "lastmodifieddate", ("createdate", "hs_object_id", "lastmodifieddate"),
                 ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")),
    "tasks": ("hs_createdate", "hs_lastmodifieddate", ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
              ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")),
}


def standard_properties(object_type: str, created_ms: int) -> dict[str, PropertyDef]:
    """Fresh definitions of HubSpot's standard properties for an object type."""
    defs = {}
    for order, (name, label, typ, ftype, group, ro, options) in enumerate(STANDARD[object_type]):
        defs[name] = PropertyDef(name, label, typ, ftype, group, list(options or []), read_only=ro,
                                 calculated=ro, external_options=name == "hubspot_owner_id",
                                 display_order=order, created_ms=created_ms,
                                 has_unique_value=name in ("email", "hs_object_id"))
    return defs
