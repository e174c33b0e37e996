"""Logging set-up with one redaction filter: registered secrets never reach a log line."""

from __future__ import annotations

import logging

REDACTED = "***"
_SECRETS: set[str] = set()


MIN_PIECE = 8      # shorter pieces of a token are too common to mask without garbling other text


def add_secret(value: str | None) -> None:
    """Register a token so every log line and CLI error masks it, in every form it can be printed in:
    as given, stripped, URL-encoded, repr-escaped, and each whitespace-separated piece of it."""
    if not value or len(value) < 4:
        return
    from urllib.parse import quote
    forms = {value, value.strip(), quote(value, safe=""), repr(value)[1:-1], value.encode("unicode_escape").decode()}
    forms.update(piece for piece in value.split() if len(piece) >= MIN_PIECE)
    _SECRETS.update(f for f in forms if len(f) >= 4)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):     # longest first: a piece never unmasks the whole
        text = text.replace(secret, REDACTED)
    return text


def _controls_escaped(text: str) -> str:
    from connector.views.safe_text import visible  # HubSpot values in a log line must not drive the terminal
    return visible(text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _controls_escaped(redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
