"""The te_* contact properties the connector owns: a public contract (DESIGN.md §3), never renamed without a migration."""

from __future__ import annotations

from dataclasses import dataclass

GROUP_NAME = "talent_engagement"
GROUP_LABEL = "Talent engagement"

BANDS = ("cold", "warm", "engaged", "fan")
APPLICATION_STATUSES = ("none", "prospect", "applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn")
DEVICES = ("mobile", "desktop", "unknown")
TEXT_LIMIT = 65_536                    # HubSpot's limit for a text property value [C]


@dataclass(frozen=True)
class PropertySpec:
    name: str
    label: str
    type: str                          # number | enumeration | string | datetime
    field_type: str
    description: str
    options: tuple[str, ...] = ()


def _enum(name, label, description, values):
    return PropertySpec(name, label, "enumeration", "select", description, tuple(values))


PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec("te_engagement_score", "Engagement score", "number", "number", "Current engagement score, 0-100."),
    _enum("te_engagement_band", "Engagement band", "Band of the engagement score.", BANDS),
    PropertySpec("te_engagement_reasons", "Engagement reasons", "string", "textarea", "Top contributions to the score."),
    PropertySpec("te_engagement_trend_7d", "Engagement trend (7 days)", "number", "number", "Change of the score over the last 7 days."),
    PropertySpec("te_engagement_rank_pct", "Engagement rank (percentile)", "number", "number", "Percentile within the portal's scored contacts."),
    PropertySpec("te_last_engaged_at", "Last engaged at", "datetime", "date", "Latest touchpoint."),
    PropertySpec("te_scored_at", "Scored at", "datetime", "date", "When the score was computed."),
    PropertySpec("te_score_model", "Score model", "string", "text", "Version of the scoring model."),
    _enum("te_application_status", "Application status", "From the ATS: outcome if closed, else phase.", APPLICATION_STATUSES),
    PropertySpec("te_application_job", "Application job", "string", "text", "Job of the most recent application."),
    PropertySpec("te_application_updated_at", "Application updated at", "datetime", "date", "Last ATS change."),
    PropertySpec("te_ats_candidate_id", "ATS candidate id", "string", "text", "Id in the ATS."),
    PropertySpec("te_abandoned_job", "Abandoned application job", "string", "text", "Vacancy of an apply intent with no application."),
    PropertySpec("te_abandoned_apply_url", "Abandoned application URL", "string", "text", "Where to send the candidate back to."),
    PropertySpec("te_abandoned_at", "Abandoned application at", "datetime", "date", "When the apply intent was seen."),
    PropertySpec("te_abandoned_count", "Abandoned applications", "number", "number",
                 "Open forgotten applications of this person (the te_abandoned_* fields describe the most recent)."),
    _enum("te_abandoned_device", "Abandoned application device", "Device of the apply intent, where HubSpot's event says it.",
          DEVICES),
    PropertySpec("te_lawful_basis", "Lawful basis (created from the ATS)", "string", "text",
                 "Why the connector may hold this contact: set on contacts it created from ATS candidates."),
)

PROPERTY_NAMES = frozenset(p.name for p in PROPERTIES)


def option_label(value: str) -> str:
    return value.replace("_", " ").capitalize()
