"""Loading settings: the environment over the working folder's `.env` (or --env-file) over defaults."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

from connector.config import Settings
from connector.errors import ConfigError
from connector.setting_values import LOOPBACK_HOSTS


def _refuse_shared_secret_file(path: Path) -> None:
    """A token file others can read is a leaked token waiting to happen (ASVS 14.2.1; quality-bar.md #17)."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"HUBSPOT_ACCESS_TOKEN is in {path.name}, which others can read (mode {mode:o}): "
                          f"run `chmod 600 {path.name}`")


def read_env_file(path: Path) -> dict[str, str]:
    """The assignments of a .env file; a line that cannot be parsed stops with its file and line number
    (never its text: it may hold the token)."""
    from dotenv.parser import parse_stream
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(f"{path} line {binding.original.line}: cannot parse this line (expected NAME=value)")
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
    return values


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = None) -> Settings:
    """Settings from `environ` (default os.environ) over the `.env` file over defaults; bad values name the variable.

    The `.env` is `env_file` or the one in the working folder, never a parent's: a `.env` planted higher up
    could point HUBSPOT_BASE_URL elsewhere and receive the token.
    """
    dotenv_path = Path(env_file) if env_file is not None else Path.cwd() / ".env"
    values = read_env_file(dotenv_path) if dotenv_path.is_file() else {}
    environ = os.environ if environ is None else environ
    if values.get("HUBSPOT_ACCESS_TOKEN") and not environ.get("HUBSPOT_ACCESS_TOKEN"):
        _refuse_shared_secret_file(dotenv_path)
    origin = {k: str(dotenv_path) for k in values}
    values.update(environ)
    origin.update({k: "the environment" for k in environ})
    kwargs = {}
    for f in fields(Settings):
        raw = values.get(f.metadata["env"])
        if raw is None or raw.strip() == "":
            continue
        try:
            kwargs[f.name] = f.metadata["parse"](raw)
        except ValueError as exc:
            shown = "***" if f.metadata["secret"] else repr(raw)
            raise ConfigError(f"{f.metadata['env']}={shown} is invalid: {exc}") from None
    settings = Settings(**kwargs)
    _refuse_clear_text_token(settings, origin.get("HUBSPOT_BASE_URL", "the default"))
    settings.check_ats()
    return settings


def _refuse_clear_text_token(settings: Settings, origin: str) -> None:
    """The bearer token goes to HUBSPOT_BASE_URL: only over HTTPS, or to this machine, unless allowed explicitly."""
    url = urlsplit(settings.hubspot_base_url)
    if url.scheme == "https" or (url.hostname or "") in LOOPBACK_HOSTS or settings.hubspot_allow_insecure_http:
        return
    raise ConfigError(f"HUBSPOT_BASE_URL (set in {origin}) is plain http to {url.hostname}: the access token would "
                      "travel unencrypted; use https://, or set HUBSPOT_ALLOW_INSECURE_HTTP=yes for a trusted test server")
