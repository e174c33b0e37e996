"""Stage name → phase/outcome: ATS-native signals first, then the admin override file, then EN + NL keywords.

An override (ATS_STAGE_MAP_PATH, TOML `[stages] "Name" = "phase-or-outcome"`) is consulted before the
keyword table so an admin can correct a keyword hit, not only fill a gap. A stage none of them maps is
never guessed: its phase stays None and it is reported once per run with its name and count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connector.ats.base import PHASES
from connector.errors import ConfigError
from connector.setting_values import load_toml_file

CLOSING = ("rejected", "withdrawn")
# Checked in this order: the first group with a keyword inside the stage name wins. Screening comes before
# interview so "telefonisch gesprek" is a screening, while "Phone Interview" still reads as an interview.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("withdrawn", ("withdrawn", "withdrew", "teruggetrokken", "trok zich terug", "zelf afgehaakt")),
    ("rejected", ("rejected", "disqualified", "afgewezen", "afwijzing", "niet geschikt")),
    ("hired", ("hired", "aangenomen", "geplaatst", "in dienst", "onboarding", "placed")),
    ("offer", ("offer", "aanbod", "voorstel", "contract", "arbeidsvoorwaarden")),
    ("screening", ("screen", "telefonisch", "selectie", "pre-selectie", "voorselectie", "cv check", "belronde")),
    ("interview", ("interview", "gesprek", "face to face", "assessment", "case", "onsite", "on-site",
                   "kennismaking", "proefdag")),
    ("applied", ("applied", "application", "applicant", "sollicitatie", "sollicitant", "nieuw", "new",
                 "inbox", "ontvangen", "received")),
    ("prospect", ("prospect", "sourced", "lead", "talent pool", "talentpool")),
)


def normalize_stage(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@dataclass(frozen=True)
class StageMapping:
    phase: str | None
    outcome: str
    source: str            # native | override | keywords | unmapped


def keyword_target(name: str) -> str | None:
    """The phase or closing outcome the keyword table gives a stage name, or None."""
    text = normalize_stage(name)
    for target, words in KEYWORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", text) for w in words):
            return target
    return None


def load_overrides(path: str | None) -> dict[str, str]:
    """The admin's stage overrides (normalised name → phase or outcome); a bad file names ATS_STAGE_MAP_PATH."""
    if not path:
        return {}
    data = load_toml_file("ATS_STAGE_MAP_PATH", path)
    stages = data.get("stages", {})
    if not isinstance(stages, dict):
        raise ConfigError(f"ATS_STAGE_MAP_PATH={path}: [stages] must be a table of \"stage name\" = \"phase\"")
    out = {}
    for name, target in stages.items():
        if target not in PHASES + CLOSING:
            raise ConfigError(f"ATS_STAGE_MAP_PATH={path}: stage {name!r} maps to {target!r}, "
                              f"which is not one of {', '.join(PHASES + CLOSING)}")
        out[normalize_stage(name)] = target
    return out


class StageMapper:
    """Maps stages and remembers, for this run, every stage seen with its mapping and count."""

    def __init__(self, overrides: dict[str, str] | None = None):
        self.overrides = overrides or {}
        self.seen: dict[str, tuple[str, int, StageMapping]] = {}

    def lookup(self, name: str) -> StageMapping:
        """What the override file and keyword table make of a stage name alone (nothing recorded)."""
        seen = dict(self.seen)
        try:
            return self.map(name)
        finally:
            self.seen = seen

    def map(self, name: str | None, *, native_phase: str | None = None,
            native_outcome: str | None = None) -> StageMapping:
        """Phase and outcome of an application in stage `name`, given what the ATS itself says."""
        outcome, phase, source = native_outcome or "open", None, "unmapped"
        key = normalize_stage(name) if name else ""
        if native_phase:
            phase, source = native_phase, "native"
        elif key:
            target = self.overrides.get(key)
            source = "override" if target else "keywords"
            target = target or keyword_target(key)
            if target is None:
                source = "unmapped"
            elif target in CLOSING:     # a "Rejected"/"Withdrawn" column: the stage says how it ended, not how far
                outcome = target if outcome == "open" else outcome
            else:
                phase = target
        if phase == "hired" and outcome == "open":
            outcome = "hired"
        mapping = StageMapping(phase=phase, outcome=outcome, source=source)
        if key:
            _, count, _ = self.seen.get(key, (name, 0, mapping))
            self.seen[key] = (name, count + 1, mapping)
        return mapping

    def unmapped(self) -> list[tuple[str, int]]:
        """(stage name, applications in it) for every stage nothing mapped to a phase this run."""
        return sorted((name, n) for name, n, m in self.seen.values() if m.source == "unmapped")
