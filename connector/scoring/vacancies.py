"""URL normalization and URL → vacancy matching: which page views are vacancy views, apply intents or careers pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from connector.scoring.urls import strip_locale

# Without CAREERS_HOSTS a page is a careers page only when it looks like one, so the company's sales pages
# (same HubSpot tracking code, same portal) do not count: a path segment in English or Dutch, a careers-named
# host, or a hosted ATS career site (Recruitee, Greenhouse job boards, Lever, ...).
CAREERS_SEGMENTS = frozenset({"careers", "career", "jobs", "job", "vacancies", "vacancy", "vacatures", "vacature",
                              "werken-bij", "werkenbij", "solliciteren", "solliciteer", "carriere", "carrière"})
CAREERS_HOST_LABELS = frozenset({"careers", "career", "jobs", "werkenbij", "werken-bij", "vacatures", "vacancies"})
ATS_HOST_SUFFIXES = ("recruitee.com", "greenhouse.io", "lever.co", "workable.com", "teamtailor.com",
                     "smartrecruiters.com", "homerun.co")
RECRUITEE_SEGMENT = "o"           # Recruitee career sites: <company>.recruitee.com/o/<slug>
APPLY_FRAGMENTS = frozenset({"app", "apply"})   # Greenhouse boards jump to the form with #app


@dataclass(frozen=True)
class PageMatch:
    kind: str                  # vacancy_view | apply_intent | page_view
    key: str                   # vacancy slug, or the page path for other careers pages
    label: str                 # words for the reasons text


def normalize_url(url: str | None) -> tuple[str, str] | None:
    """(host, path) with lower-cased host, decoded path, no query, fragment or trailing slash; None if unusable."""
    try:
        parsed = urlparse((url or "").strip())
    except ValueError:
        return None
    if not parsed.hostname:
        return None
    path = strip_locale(unquote(parsed.path or "/").rstrip("/") or "/")
    return parsed.hostname.lower(), path


def label_from_slug(slug: str) -> str:
    """Words from a slug ("senior-java-developer" -> "Senior Java Developer"); "" for an id such as "4012345"."""
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words.title() if any(ch.isalpha() for ch in words) else ""


class VacancyMatcher:
    """Classifies careers-site URLs with the VACANCY_URL_PATTERN setting."""

    def __init__(self, pattern: str, careers_hosts: str | None = None):
        self._pattern = re.compile(pattern)
        self._hosts = {h.strip().lower() for h in (careers_hosts or "").split(",") if h.strip()}

    def classify(self, url: str | None, title: str | None = None) -> PageMatch | None:
        """The touchpoint a page URL stands for, or None when it is not on the careers site."""
        normalized = normalize_url(url)
        if normalized is None:
            return None
        host, path = normalized
        if self._hosts and host not in self._hosts:
            return None
        found = self._pattern.search(path)
        if found:
            slug = found.group("vacancy").lower()
            label = _title_label(title) or label_from_slug(slug)
            applying = ("apply" in self._pattern.groupindex and found.group("apply")) or _fragment(url) in APPLY_FRAGMENTS
            return PageMatch("apply_intent" if applying else "vacancy_view", slug, label)
        if not self._hosts and not looks_like_careers(host, path):
            return None
        return PageMatch("page_view", path, _title_label(title) or path)

    def is_apply_url(self, url: str | None) -> PageMatch | None:
        match = self.classify(url)
        return match if match and match.kind == "apply_intent" else None


def looks_like_careers(host: str, path: str) -> bool:
    """A careers page by its address alone (used when CAREERS_HOSTS is empty)."""
    if host.split(".")[0] in CAREERS_HOST_LABELS or host.endswith(ATS_HOST_SUFFIXES):
        return True
    segments = [seg.lower() for seg in path.split("/") if seg]
    return bool(segments) and (segments[0] == RECRUITEE_SEGMENT or any(seg in CAREERS_SEGMENTS for seg in segments))


def _fragment(url: str | None) -> str:
    try:
        return urlparse((url or "").strip()).fragment.lower()
    except ValueError:
        return ""


def _title_label(title: str | None) -> str | None:
    if not title:
        return None
    # "Apply: Senior Java Developer | Careers at Example" → "Senior Java Developer"
    head = re.split(r"\s+[|–—-]\s+", title.strip())[0]
    head = re.sub(r"^(apply( now)?( for)?|solliciteer( nu)?( op)?)\s*:?\s*", "", head, flags=re.IGNORECASE)
    return head[:120] or None
