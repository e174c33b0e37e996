"""The words of the reasons text, per REASONS_LANGUAGE (en, nl): every phrase in both, checked by a test.

Phrases name what a recruiter talks about with the candidate: the vacancy's title, the mail's subject. A label
that is an id or a URL is never shown; the generic word ("a vacancy") stands in for it.
"""

from __future__ import annotations

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"

# kind -> (one named thing: "{label}" is filled in; several counted per kind: "{n}" is filled in)
PHRASES = {
    "en": {
        "vacancy_view": ("Viewed {label}", "{n} vacancy views"),
        "page_view": ("Visited careers page {label}", "{n} careers page views"),
        "email_click": ("Clicked {label}", "{n} email clicks"),
        "email_open": ("Opened {label}", "{n} email opens"),
        "form_submission": ("Submitted {label}", "{n} form submissions"),
        "apply_intent": ("Started applying for {label}", "{n} apply page visits"),
        "application": ("Applied for {label}", "{n} applications"),
        "event_attended": ("Attended {label}", "{n} events attended"),
        "return_visit": ("Came back on 1 more day", "Came back on {n} more days"),
        "counted_visit": ("1 site visit counted by HubSpot{label}", "{n} site visits counted by HubSpot"),
        "counted_page_view": ("1 page view counted by HubSpot{label}", "{n} page views counted by HubSpot"),
    },
    "nl": {
        "vacancy_view": ("Bekeek {label}", "{n} vacatures bekeken"),
        "page_view": ("Bezocht carrièrepagina {label}", "{n} bezoeken aan carrièrepagina's"),
        "email_click": ("Klikte in {label}", "{n} klikken in mails"),
        "email_open": ("Opende {label}", "{n} mails geopend"),
        "form_submission": ("Vulde {label} in", "{n} formulieren ingevuld"),
        "apply_intent": ("Begon te solliciteren op {label}", "{n} bezoeken aan sollicitatiepagina's"),
        "application": ("Solliciteerde op {label}", "{n} sollicitaties"),
        "event_attended": ("Was bij {label}", "{n} events bezocht"),
        "return_visit": ("Kwam op 1 andere dag terug", "Kwam op {n} andere dagen terug"),
        "counted_visit": ("1 websitebezoek geteld door HubSpot{label}", "{n} websitebezoeken geteld door HubSpot"),
        "counted_page_view": ("1 paginaweergave geteld door HubSpot{label}",
                              "{n} paginaweergaven geteld door HubSpot"),
    },
}
# kind -> the words for a thing without a speakable name
GENERIC = {
    "en": {"vacancy_view": "a vacancy", "page_view": "", "email_click": "a mail", "email_open": "a mail",
           "form_submission": "a form", "apply_intent": "a vacancy", "application": "a vacancy",
           "event_attended": "an event", "return_visit": "", "counted_visit": "", "counted_page_view": ""},
    "nl": {"vacancy_view": "een vacature", "page_view": "", "email_click": "een mail", "email_open": "een mail",
           "form_submission": "een formulier", "apply_intent": "een vacature", "application": "een vacature",
           "event_attended": "een event", "return_visit": "", "counted_visit": "", "counted_page_view": ""},
}
# How `explain` marks a synthetic touchpoint made from a rise of HubSpot's counters (connector/counters.py).
COUNTER_ORIGIN = "hubspot_counters"
COUNTER_NOTES = {"counted_visit": "from HubSpot's visit counter (Number of Sessions), not a page view: "
                                  "no page or vacancy known",
                 "counted_page_view": "from HubSpot's page-view counter (Number of Pageviews), not a page view "
                                      "event: no page or vacancy known"}
# Mail subjects are quoted, as in "Clicked 'Nieuwe vacatures juni'".
QUOTED_KINDS = ("email_click", "email_open")
NEGATIVES = {
    "en": {"unsubscribe": "Unsubscribed from email", "hard_bounce": "Email address hard-bounced",
           "spam_report": "Reported email as spam"},
    "nl": {"unsubscribe": "Afgemeld voor e-mail", "hard_bounce": "E-mailadres onbereikbaar (harde bounce)",
           "spam_report": "Markeerde e-mail als spam"},
}
SUPPRESSED_SUFFIX = {"en": ": score floored", "nl": ": score op de bodem"}
# (days, hours, under an hour)
AGES = {"en": ("{n} d ago", "{n} h ago", "just now"), "nl": ("{n} d geleden", "{n} u geleden", "zojuist")}
