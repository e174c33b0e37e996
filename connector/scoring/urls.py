"""Clean URLs: the link a reminder sends a candidate back to, without tracking parameters. Pure."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Tracking parameters HubSpot and ad platforms add to links (utm_*: Google Analytics; gclid: Google Ads;
# hsa_*: HubSpot ads; _hsmi/_hsenc: HubSpot email tracking; fbclid, mc_*: Facebook, Mailchimp).
TRACKING_PARAM = re.compile(r"^(utm_.*|gclid|gbraid|wbraid|fbclid|msclkid|hsa_.*|_hsmi|_hsenc|__hs.*|hsctatracking|"
                            r"mc_cid|mc_eid)$", re.IGNORECASE)
# A vacancy: /<word>/<slug> in Dutch or English, singular or plural, Recruitee's /o/<slug>, Greenhouse's
# /<company>/jobs/<id>; its apply page: /apply, /application, /solliciteer(en), Recruitee's /c/new (Greenhouse's
# #app fragment is recognised by the matcher). Listing pages (/careers/jobs, /werken-bij/vacatures) are no vacancy.
DEFAULT_VACANCY_URL_PATTERN = (
    r"/(?:vacancies|vacancy|vacatures|vacature|jobs|job|careers|werken-bij|o)/"
    r"(?!(?:vacancies|vacatures|jobs|careers|search|zoeken|alle|all|apply|solliciteren|benefits|about|about-us|over-ons"
    r"|team|teams|faq|contact|culture|cultuur|locations|locaties)(?:/|$))"
    r"(?P<vacancy>[A-Za-z0-9][A-Za-z0-9_-]*)(?P<apply>/(?:apply|application|solliciteer|solliciteren|c/new))?/?$")
LOCALE_PREFIX = re.compile(r"^/(?:[a-z]{2}(?:[-_][a-zA-Z]{2})?)(?=/)")


def clean_url(url: str | None) -> str | None:
    """scheme://host/path?kept-params: host lower-cased, tracking parameters, fragment and trailing slash dropped."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAM.match(k)])
    path = parts.path.rstrip("/") or "/"
    host = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def strip_locale(path: str) -> str:
    """/nl/vacatures/x -> /vacatures/x: a locale prefix does not make another vacancy."""
    return LOCALE_PREFIX.sub("", path, count=1)
