"""Logging set-up: one line per event carrying the run id, text or JSON; registered secrets never reach a line.

Log lines carry ids, counts and statuses only: no email address, name or body is ever passed to a logger."""

from __future__ import annotations

import json
import logging

REDACTED = "***"
_SECRETS: set[str] = set()
_RUN: dict[str, int | None] = {"id": None}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s run=%(run_label)s: %(message)s"
QUIET_LOGGERS = ("urllib3", "alembic")


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


def set_run_id(run_id: int | None) -> None:
    """The run every later log line belongs to (None between runs)."""
    _RUN["id"] = run_id


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _controls_escaped(redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if getattr(record, "run_id", None) is None:
            record.run_id = _RUN["id"]
        record.run_label = "-" if record.run_id is None else record.run_id
        return True


class SchedulerToDebugFilter(logging.Filter):
    """APScheduler's chatter ("Added job", "executed successfully" even for a failed run, "skipped: maximum number
    of running instances" while a long run goes on) is debug here: the daemon logs its own line per run."""

    def __init__(self, threshold: int):
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("apscheduler") and record.levelno < logging.ERROR:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return record.levelno >= self.threshold
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, run_id, message (LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record), "level": record.levelname.lower(), "logger": record.name,
                "run_id": getattr(record, "run_id", None), "message": record.getMessage()}
        return json.dumps(line, ensure_ascii=False)


def configure(level: str, fmt: str = "text") -> None:
    """Route every logger to one stderr handler at `level`, as text or JSON lines."""
    threshold = logging.getLevelName(level.upper())
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter())
    handler.addFilter(SchedulerToDebugFilter(threshold))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(threshold)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
