"""Clean URLs: the link a reminder sends a candidate back to, without tracking parameters. Pure."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Tracking parameters HubSpot and ad platforms add to links (utm_*: Google Analytics; gclid: Google Ads;
# hsa_*: HubSpot ads; _hsmi/_hsenc: HubSpot email tracking; fbclid, mc_*: Facebook, Mailchimp).
TRACKING_PARAM = re.compile(r"^(utm_.*|gclid|gbraid|wbraid|fbclid|msclkid|hsa_.*|_hsmi|_hsenc|__hs.*|hsctatracking|"
                            r"mc_cid|mc_eid)$", re.IGNORECASE)
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
