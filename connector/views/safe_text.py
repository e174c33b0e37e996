"""Values from HubSpot or an ATS made safe for where people read them: the terminal (Rich) and spreadsheets.

A name, page title or URL path is data, never markup: `[link=...]` must not render a link, `[/b]` must not crash
Rich, and ANSI/OSC escapes (ESC [ ... / ESC ] ...) must not reach the terminal, where they can retitle the
window, hide text or forge output. A CSV cell starting with = + - @ is a formula to Excel and Sheets
(OWASP "CSV injection"), so such cells get a leading apostrophe.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidi overrides that can make text read differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible(value) -> str:
    """`value` as plain text with every control character shown as a \\xNN escape (newlines kept)."""
    text = "" if value is None else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")        # lone surrogates, shown not raised
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def term(value) -> str:
    """`value` ready to be placed inside Rich markup: controls escaped, brackets taken literally."""
    from rich.markup import escape  # lazy: `--help` and `--version` start without rich
    return escape(visible(value))


def spreadsheet_cell(value):
    """A CSV cell that a spreadsheet shows as text, never evaluates; non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def open_private(path):
    """A text file for writing, created (or truncated and tightened) to 0600: exports hold names and emails."""
    import os

    from connector.errors import ConfigError
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
    return os.fdopen(fd, "w", newline="", encoding="utf-8")


PRIVATE_FILE_MODE = 0o600


def one_line(exc: BaseException) -> str:
    """An error's message for the `error:` line: secrets masked, controls escaped, on one line."""
    from connector.logs import redact
    return " ".join(visible(redact(str(exc))).split("\n"))
