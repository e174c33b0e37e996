"""Email normalisation shared by every room that joins people (HubSpot contacts, ATS candidates, lookups)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")


def normalize_email(value) -> str | None:
    """Trimmed, lower-cased email, or None when empty or not an address."""
    text = (value or "").strip().lower()
    return text if text and _EMAIL.match(text) else None
