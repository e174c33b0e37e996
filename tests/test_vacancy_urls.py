"""Which page views are vacancy views, apply intents, careers pages or nothing: Dutch and English, singular and
plural, Recruitee and Greenhouse career sites; without CAREERS_HOSTS the company's other pages do not count."""

from __future__ import annotations

import pytest

from connector.config import DEFAULT_VACANCY_URL_PATTERN
from connector.scoring.vacancies import VacancyMatcher

DEFAULT = VacancyMatcher(DEFAULT_VACANCY_URL_PATTERN)


@pytest.mark.parametrize(("url", "kind", "key"), [
    ("https://www.example.nl/vacature/senior-java-developer", "vacancy_view", "senior-java-developer"),
    ("https://www.example.nl/vacatures/senior-java-developer", "vacancy_view", "senior-java-developer"),
    ("https://www.example.com/vacancy/data-engineer/", "vacancy_view", "data-engineer"),
    ("https://www.example.com/vacancies/data-engineer?utm_source=hs_email", "vacancy_view", "data-engineer"),
    ("https://www.example.com/job/ux-designer", "vacancy_view", "ux-designer"),
    ("https://www.example.com/jobs/ux-designer", "vacancy_view", "ux-designer"),
    ("https://www.example.com/careers/product-owner", "vacancy_view", "product-owner"),
    ("https://www.example.nl/werken-bij/product-owner", "vacancy_view", "product-owner"),
    ("https://acme.recruitee.com/o/data-engineer", "vacancy_view", "data-engineer"),
    ("https://acme.recruitee.com/o/data-engineer/c/new", "apply_intent", "data-engineer"),
    ("https://boards.greenhouse.io/acme/jobs/4012345", "vacancy_view", "4012345"),
    ("https://job-boards.greenhouse.io/acme/jobs/4012345", "vacancy_view", "4012345"),
    ("https://boards.greenhouse.io/acme/jobs/4012345#app", "apply_intent", "4012345"),
    ("https://www.example.com/jobs/ux-designer/apply", "apply_intent", "ux-designer"),
    ("https://www.example.nl/vacature/ux-designer/solliciteer", "apply_intent", "ux-designer"),
    ("https://www.example.nl/vacatures/ux-designer/solliciteren", "apply_intent", "ux-designer"),
])
def test_vacancy_paths_singular_plural_and_ats(url, kind, key):
    match = DEFAULT.classify(url)
    assert (match.kind, match.key) == (kind, key)


@pytest.mark.parametrize("url", [
    "https://www.example.com/werken-bij", "https://www.example.com/careers/jobs", "https://www.example.nl/werken-bij/vacatures",
    "https://www.example.com/en/careers/benefits", "https://careers.example.com/", "https://careers.example.com/about-us",
    "https://acme.recruitee.com/", "https://www.example.com/jobs",
])
def test_careers_pages_that_are_no_vacancy(url):
    assert DEFAULT.classify(url).kind == "page_view"


@pytest.mark.parametrize("url", [
    "https://www.example.com/", "https://www.example.com/pricing", "https://www.example.com/blog/jobs-to-be-done",
    "https://www.example.com/products/hr-suite", "not a url",
])
def test_other_pages_do_not_count_without_careers_hosts(url):
    assert DEFAULT.classify(url) is None


def test_careers_hosts_decide_when_set_and_the_pattern_setting_still_overrides():
    hosts = VacancyMatcher(DEFAULT_VACANCY_URL_PATTERN, "www.example.com")
    assert hosts.classify("https://www.example.com/pricing").kind == "page_view"
    assert hosts.classify("https://careers.other.com/vacatures/x") is None
    custom = VacancyMatcher(r"/rollen/(?P<vacancy>[a-z-]+)(?P<apply>/aanmelden)?$", "werk.example.nl")
    assert custom.classify("https://werk.example.nl/rollen/tester/aanmelden").kind == "apply_intent"
    assert custom.classify("https://werk.example.nl/vacatures/tester").kind == "page_view"


def test_a_numeric_slug_gives_no_label_and_a_title_does():
    assert DEFAULT.classify("https://boards.greenhouse.io/acme/jobs/4012345").label == ""
    titled = DEFAULT.classify("https://boards.greenhouse.io/acme/jobs/4012345", "Senior Java Developer | Acme")
    assert titled.label == "Senior Java Developer"


def test_sales_pages_score_nothing_through_a_sync_unless_careers_hosts_says_so(empty_sandbox, make_connector):
    from datetime import UTC, datetime, timedelta
    contact = empty_sandbox.create_contact({"email": "buyer@example.org"})
    for path in ("/pricing", "/products/hr-suite", "/"):
        empty_sandbox.add_web_event(contact, url=f"https://www.example.com{path}",
                                    occurred_at=datetime.now(UTC) - timedelta(hours=1))
    conn = make_connector(empty_sandbox)
    conn.run("setup")
    conn.sync_json()
    assert empty_sandbox.contact(contact)["te_engagement_score"] == "0"
    other = make_connector(empty_sandbox)
    other.run("setup")
    other.sync_json(CAREERS_HOSTS="www.example.com")
    assert empty_sandbox.contact(contact)["te_engagement_score"] == "8"     # 3 careers pages of 3 points, 1 h old
