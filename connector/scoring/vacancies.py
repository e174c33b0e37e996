"""URL normalization and URL → vacancy matching: which page views are vacancy views, apply intents or careers pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from connector.scoring.urls import strip_locale


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
    return re.sub(r"[-_]+", " ", slug).strip().title()


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
            applying = "apply" in self._pattern.groupindex and found.group("apply")
            return PageMatch("apply_intent" if applying else "vacancy_view", slug, label)
        return PageMatch("page_view", path, _title_label(title) or path)

    def is_apply_url(self, url: str | None) -> PageMatch | None:
        match = self.classify(url)
        return match if match and match.kind == "apply_intent" else None


def _title_label(title: str | None) -> str | None:
    if not title:
        return None
    # "Apply: Senior Java Developer | Careers at Example" → "Senior Java Developer"
    head = re.split(r"\s+[|–—-]\s+", title.strip())[0]
    head = re.sub(r"^(apply( now)?( for)?|solliciteer( nu)?( op)?)\s*:?\s*", "", head, flags=re.IGNORECASE)
    return head[:120] or None
