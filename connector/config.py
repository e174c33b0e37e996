"""Settings, read once from the environment and `.env`: the only reader of os.environ."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from connector.errors import ConfigError
from connector.scoring.urls import DEFAULT_VACANCY_URL_PATTERN
from connector.setting_values import (
    MAX_INTERVAL_MINUTES,
    MAX_TIMEOUT_S,
    MAX_WAIT_BUDGET_S,
    _bool,
    _choice,
    _flag,
    _guids,
    _iso_instant,
    _non_negative_int,
    _number,
    _positive_float,
    _positive_int,
    _regex,
    _text,
    _token,
    _url,
)

DEFAULT_HUBSPOT_BASE_URL = "https://api.hubapi.com"
DEFAULT_DATABASE_URL = "sqlite:///state/connector.db"
DEFAULT_RECRUITEE_BASE_URL = "https://api.recruitee.com"
DEFAULT_GREENHOUSE_BASE_URL = "https://harvest.greenhouse.io"
DEFAULT_GREENHOUSE_AUTH_URL = "https://auth.greenhouse.io"
DEFAULT_GREENHOUSE_BOARDS_URL = "https://boards-api.greenhouse.io"
# Settings each ATS_KIND needs before a run may start.
ATS_REQUIRED = {"recruitee": ("RECRUITEE_API_TOKEN", "RECRUITEE_COMPANY_ID"),
                "greenhouse": ("GREENHOUSE_CLIENT_ID", "GREENHOUSE_CLIENT_SECRET"),
                "csv": ("ATS_CSV_PATH",)}
ATS_KINDS = ("none", "recruitee", "greenhouse", "csv")
# HubSpot usage guidelines [V]: 100 / 10 s for Free/Starter private apps, 190 for Pro/Enterprise.
RATE_LIMIT_TIERS = {"free": 100, "starter": 100, "professional": 190, "enterprise": 190}


def _setting(env: str, parse: Callable[[str], object], help: str, default: object = None, secret: bool = False):
    return field(default=default, metadata={"env": env, "parse": parse, "help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Every setting of the connector; build it with load_settings() or directly in tests."""

    hubspot_access_token: str | None = _setting(
        "HUBSPOT_ACCESS_TOKEN", _token, "HubSpot private app access token (secret; never logged).", secret=True)
    hubspot_base_url: str = _setting(
        "HUBSPOT_BASE_URL", _url, "HubSpot API host; the sandbox's URL in tests and the demo.", DEFAULT_HUBSPOT_BASE_URL)
    hubspot_tier: str = _setting(
        "HUBSPOT_TIER", _choice(tuple(RATE_LIMIT_TIERS)), "Portal tier: sets the default burst rate limit.", "free")
    hubspot_rate_limit_per_10s: int | None = _setting(
        "HUBSPOT_RATE_LIMIT_PER_10S", _positive_int, "Requests per rolling 10 s the connector allows itself (default from HUBSPOT_TIER).")
    hubspot_search_rate_per_s: int = _setting(
        "HUBSPOT_SEARCH_RATE_PER_S", _positive_int, "CRM search requests per second (HubSpot allows about 5).", 4)
    hubspot_timeout_seconds: float = _setting(
        "HUBSPOT_TIMEOUT_SECONDS", _number(float, zero_ok=False, words="a positive number", maximum=MAX_TIMEOUT_S),
        "Read timeout of one HubSpot request, in seconds.", 30.0)
    hubspot_max_retries: int = _setting(
        "HUBSPOT_MAX_RETRIES", _non_negative_int, "Retries of a 5xx/timeout before the run gives up.", 6)
    hubspot_rate_limit_wait_budget_seconds: float = _setting(
        "HUBSPOT_RATE_LIMIT_WAIT_BUDGET_SECONDS",
        _number(float, zero_ok=True, words="zero or a positive number", maximum=MAX_WAIT_BUDGET_S),
        "Seconds one run may spend waiting out 429 answers (separate from HUBSPOT_MAX_RETRIES).", 600.0)
    run_lease_seconds: int = _setting(
        "RUN_LEASE_SECONDS", _number(int, zero_ok=False, words="a positive whole number", maximum=MAX_WAIT_BUDGET_S),
        "How long the run lease outlives its last heartbeat (renewed every third of it); then any host may take it.",
        120)
    reconcile_interval_hours: int = _setting(
        "RECONCILE_INTERVAL_HOURS", _number(int, zero_ok=True, words="zero or a positive whole number",
                                            maximum=MAX_INTERVAL_MINUTES),
        "Hours between the daemon's id reconciles (`connector reconcile`); 0 = never.", 24)
    backfill_window_hours: int = _setting(
        "BACKFILL_WINDOW_HOURS", _positive_int, "Hours of history per resumable window of `connector backfill`.", 24)
    nightly_rescore_hour: int | None = _setting(
        "NIGHTLY_RESCORE_HOUR", _number(int, zero_ok=True, words="an hour 0-23", maximum=23),
        "Hour (0-23, portal time zone) of the daemon's nightly full rescore and push; empty = none.")
    hubspot_allow_insecure_http: bool = _setting(
        "HUBSPOT_ALLOW_INSECURE_HTTP", _flag,
        "Allow a plain-http HUBSPOT_BASE_URL other than loopback (sends the token unencrypted; test servers only).",
        False)
    database_url: str = _setting(
        "DATABASE_URL", _text, "State database (SQLite file or PostgreSQL URL).", DEFAULT_DATABASE_URL)
    ats_kind: str = _setting(
        "ATS_KIND", _choice(ATS_KINDS), "Which ATS adapter to pull applications from.", "none")
    recruitee_api_token: str | None = _setting(
        "RECRUITEE_API_TOKEN", _text, "Recruitee personal API token (secret; a dedicated integration user is best).", secret=True)
    recruitee_company_id: str | None = _setting(
        "RECRUITEE_COMPANY_ID", _text, "Recruitee company id (Settings > Personal API tokens) or company subdomain.")
    recruitee_base_url: str = _setting(
        "RECRUITEE_BASE_URL", _url, "Recruitee API host; the sandbox's URL in tests and the demo.", DEFAULT_RECRUITEE_BASE_URL)
    greenhouse_client_id: str | None = _setting(
        "GREENHOUSE_CLIENT_ID", _text, "Greenhouse Harvest v3 OAuth client id (Dev Center > API Credentials).")
    greenhouse_client_secret: str | None = _setting(
        "GREENHOUSE_CLIENT_SECRET", _text, "Greenhouse Harvest v3 OAuth client secret (secret; never logged).", secret=True)
    greenhouse_user_id: str | None = _setting(
        "GREENHOUSE_USER_ID", _text, "Greenhouse user id the token acts as (`sub`); empty: the service account.")
    greenhouse_base_url: str = _setting(
        "GREENHOUSE_BASE_URL", _url, "Greenhouse Harvest host (the API lives under /v3).", DEFAULT_GREENHOUSE_BASE_URL)
    greenhouse_auth_url: str = _setting(
        "GREENHOUSE_AUTH_URL", _url, "Greenhouse OAuth host (the token endpoint is /token).", DEFAULT_GREENHOUSE_AUTH_URL)
    greenhouse_board_token: str | None = _setting(
        "GREENHOUSE_BOARD_TOKEN", _text, "Greenhouse job board token: public job URLs for vacancy matching (optional).")
    greenhouse_boards_url: str = _setting(
        "GREENHOUSE_BOARDS_URL", _url, "Greenhouse Job Board API host.", DEFAULT_GREENHOUSE_BOARDS_URL)
    ats_csv_path: str | None = _setting(
        "ATS_CSV_PATH", _text, "CSV/XLSX export file, or a folder watched for new exports (ATS_KIND=csv).")
    ats_csv_columns_path: str | None = _setting(
        "ATS_CSV_COLUMNS_PATH", _text, "TOML mapping the export's column headers to the canonical names (ATS_KIND=csv).")
    ats_stage_map_path: str | None = _setting(
        "ATS_STAGE_MAP_PATH", _text, "TOML overrides of stage name → phase/outcome, used before the EN+NL keyword table.")
    ats_recruiter_map_path: str | None = _setting(
        "ATS_RECRUITER_MAP_PATH", _text, "TOML overrides of recruiter email → HubSpot owner id (else matched by email).")
    ats_page_size: int = _setting(
        "ATS_PAGE_SIZE", _positive_int, "Records per ATS list request (always sent: an unbounded list is slow).", 100)
    ats_overlap_seconds: int = _setting(
        "ATS_OVERLAP_SECONDS", _non_negative_int, "Each incremental ATS pull re-reads this much before its cursor.", 300)
    ats_timeout_seconds: float = _setting(
        "ATS_TIMEOUT_SECONDS", _positive_float, "Read timeout of one ATS request, in seconds.", 30.0)
    ats_max_retries: int = _setting(
        "ATS_MAX_RETRIES", _non_negative_int, "Retries of an ATS 429/5xx/timeout before the run gives up.", 6)
    ats_create_contacts: bool = _setting(
        "ATS_CREATE_CONTACTS", _bool, "Create HubSpot contacts for ATS candidates without one (needs ATS_LAWFUL_BASIS_NOTE).",
        False)
    ats_lawful_basis_note: str | None = _setting(
        "ATS_LAWFUL_BASIS_NOTE", _text, "Lawful basis written to contacts created from the ATS (GDPR art. 6), e.g. legitimate interest.")
    sync_interval_minutes: int = _setting(
        "SYNC_INTERVAL_MINUTES", _number(int, zero_ok=False, words="a positive whole number",
                                         maximum=MAX_INTERVAL_MINUTES), "Minutes between scheduled syncs of the daemon.", 15)
    sync_lag_seconds: int = _setting(
        "SYNC_LAG_SECONDS", _non_negative_int, "How far cursors trail the run's start (HubSpot search is eventually consistent).", 60)
    initial_lookback_days: int = _setting(
        "INITIAL_LOOKBACK_DAYS", _positive_int, "How far back the first sync reads email and web events.", 180)
    default_task_owner_id: str | None = _setting(
        "DEFAULT_TASK_OWNER_ID", _text, "HubSpot owner who gets tasks for contacts without an owner.")
    scoring_model_path: str | None = _setting(
        "SCORING_MODEL_PATH", _text, "TOML scoring model replacing the packaged default.")
    vacancy_url_pattern: str = _setting(
        "VACANCY_URL_PATTERN", _regex, "Regex on page paths: (?P<vacancy>...) names the vacancy, (?P<apply>...) marks its apply page.",
        DEFAULT_VACANCY_URL_PATTERN)
    careers_hosts: str | None = _setting(
        "CAREERS_HOSTS", _text, "Comma-separated hosts of the careers site (empty: pages whose host or path looks like one; `setup` lists the hosts seen).")
    task_suppress_in_process: bool = _setting(
        "TASK_SUPPRESS_IN_PROCESS", _bool, "No \"call this fan\" task for a candidate with an open application in process (ATS); hires and recent rejections never get one.", True)
    abandoned_grace_minutes: int = _setting(
        "ABANDONED_GRACE_MINUTES", _non_negative_int, "Minutes an apply intent must be old before it is flagged as a forgotten application.", 60)
    abandoned_expiry_days: int = _setting(
        "ABANDONED_EXPIRY_DAYS", _positive_int, "Days after which an apply intent is no longer a forgotten application (the flag clears).", 30)
    abandoned_cooldown_days: int = _setting(
        "ABANDONED_COOLDOWN_DAYS", _non_negative_int, "Days before the same vacancy is flagged again for a person (and a rejection blocks flags).", 14)
    abandoned_any_vacancy: bool = _setting(
        "ABANDONED_ANY_VACANCY", _bool, "An application for any vacancy (not just the one of the intent) clears a person's flags.", False)
    rank_write_step: int = _setting(
        "RANK_WRITE_STEP", _non_negative_int, "Points te_engagement_rank_pct must move (or the band change) before it is rewritten in HubSpot.", 5)
    reasons_language: str = _setting(
        "REASONS_LANGUAGE", _choice(("en", "nl")), "Language of te_engagement_reasons (en or nl).", "en")
    application_form_ids: tuple[str, ...] = _setting(
        "APPLICATION_FORM_IDS", _guids, "Comma-separated guids of HubSpot forms whose submissions are applications (`connector setup` lists the forms).", ())
    start_application_form_ids: tuple[str, ...] = _setting(
        "START_APPLICATION_FORM_IDS", _guids, "Comma-separated guids of \"start application\" forms: a submission is an apply intent.", ())
    pinned_now: str | None = _setting(
        "CONNECTOR_PINNED_NOW", _iso_instant,
        "Pin the run's clock to this UTC instant (ISO-8601), for reproducible test runs; leave empty in production.")
    log_level: str = _setting(
        "LOG_LEVEL", _choice(("debug", "info", "warning", "error")), "Log level.", "info")
    log_format: str = _setting(
        "LOG_FORMAT", _choice(("text", "json")), "Log line format: text, or json (one object a line, for log shippers).", "text")
    daily_api_budget_share: float = _setting(
        "DAILY_API_BUDGET_SHARE", _number(float, zero_ok=False, words="a share above 0, at most 1", maximum=1),
        "Share of the portal's daily API limit the daemon may use; it pauses until the limit resets.", 0.5)

    @property
    def pinned_clock(self):
        """CONNECTOR_PINNED_NOW as an aware datetime, or None."""
        from datetime import datetime
        return datetime.fromisoformat(self.pinned_now.replace("Z", "+00:00")) if self.pinned_now else None

    @property
    def rate_limit_per_10s(self) -> int:
        return self.hubspot_rate_limit_per_10s or RATE_LIMIT_TIERS[self.hubspot_tier]

    def require_token(self) -> str:
        """The token, or a ConfigError naming the setting."""
        if not self.hubspot_access_token:
            raise ConfigError("HUBSPOT_ACCESS_TOKEN is not set: create a HubSpot private app and put its token in the environment or .env")
        return self.hubspot_access_token

    def check_ats(self) -> None:
        """ConfigError naming the first missing credential of the chosen ATS_KIND (or of ATS_CREATE_CONTACTS)."""
        by_env = {f.metadata["env"]: getattr(self, f.name) for f in fields(self)}
        for env in ATS_REQUIRED.get(self.ats_kind, ()):
            if not by_env[env]:
                raise ConfigError(f"{env} is not set: ATS_KIND={self.ats_kind} needs it")
        if self.ats_create_contacts and not self.ats_lawful_basis_note:
            raise ConfigError("ATS_LAWFUL_BASIS_NOTE is not set: ATS_CREATE_CONTACTS=true needs the lawful basis "
                              "written to every contact it creates")

    def secrets(self) -> list[str]:
        return [getattr(self, f.name) for f in fields(self) if f.metadata["secret"] and getattr(self, f.name)]

    def __repr__(self) -> str:  # never print the token
        shown = ", ".join(f"{f.name}={'***' if f.metadata['secret'] and getattr(self, f.name) else getattr(self, f.name)!r}"
                          for f in fields(self))
        return f"Settings({shown})"


def setting_docs() -> list[tuple[str, str, object]]:
    """(variable, description, default) for every setting: feeds .env.example and the README."""
    return [(f.metadata["env"], f.metadata["help"], f.default) for f in fields(Settings)]


# Loading lives beside, so this module stays the settings' definition; importers keep `connector.config`.
from connector.settings_load import load_settings, read_env_file  # noqa: E402,F401
