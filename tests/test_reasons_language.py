"""Reasons a recruiter can read out: vacancy titles and mail subjects, never ids or URLs, in English or Dutch
(REASONS_LANGUAGE), within HubSpot's text limit; and task_facts for the recruiter task body."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from connector.scoring.config import load_model
from connector.scoring.explain import REASONS_MAX_CHARS, reasons_text, task_facts
from connector.scoring.model import Touchpoint, compute_score
from connector.scoring.phrases import AGES, GENERIC, LANGUAGES, NEGATIVES, PHRASES, SUPPRESSED_SUFFIX
from connector.scoring.records import NEGATIVE_KINDS, POSITIVE_KINDS, RETURN_VISIT

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
MODEL = load_model()
_ids = itertools.count()


def tp(kind, days=0.0, key=None, label=None):
    return Touchpoint(kind, NOW - timedelta(days=days), key, label, f"ev-{next(_ids)}")


HISTORY = [
    *[tp("vacancy_view", d, "senior-java-developer", "Senior Java Developer") for d in (0.2, 2, 5)],
    tp("vacancy_view", 2.1, "4012345", "4012345"),
    tp("page_view", 2.2, "/benefits", "/benefits"),
    tp("email_click", 4, "318702565", "Nieuwe vacatures juni"),
    tp("email_click", 6, "318702999", None),
    tp("email_open", 1, "318702565", "Nieuwe vacatures juni"),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_exists_in_both_languages(language):
    assert set(PHRASES[language]) == set(GENERIC[language]) == {*POSITIVE_KINDS, RETURN_VISIT}
    assert set(NEGATIVES[language]) == set(NEGATIVE_KINDS)
    assert language in SUPPRESSED_SUFFIX and len(AGES[language]) == 3


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Came back on 2 more days (+23); Viewed Senior Java Developer 3× (+21, 4 h ago); Viewed a vacancy (+7, "
           "2 d ago); Clicked 'Nieuwe vacatures juni' (+5, 4 d ago); Clicked a mail (+4, 6 d ago); Visited careers "
           "page (+3, 2 d ago); Opened 'Nieuwe vacatures juni' (+0.5, 1 d ago)"),
    ("nl", "Kwam op 2 andere dagen terug (+23); Bekeek Senior Java Developer 3× (+21, 4 u geleden); Bekeek een "
           "vacature (+7, 2 d geleden); Klikte in 'Nieuwe vacatures juni' (+5, 4 d geleden); Klikte in een mail (+4, "
           "6 d geleden); Bezocht carrièrepagina (+3, 2 d geleden); Opende 'Nieuwe vacatures juni' (+0.5, 1 d geleden)"),
])
def test_reasons_name_titles_and_subjects_never_ids_or_urls(language, expected):
    text = reasons_text(compute_score(HISTORY, NOW, MODEL), NOW, max_items=10, language=language)
    assert text == expected
    for raw in ("4012345", "318702", "/benefits", "http"):
        assert raw not in text


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Unsubscribed from email; Email address hard-bounced: score floored"),
    ("nl", "Afgemeld voor e-mail; E-mailadres onbereikbaar (harde bounce): score op de bodem"),
])
def test_negatives_in_both_languages(language, expected):
    score = compute_score([*HISTORY, tp("hard_bounce", 1), tp("unsubscribe", 2)], NOW, MODEL)
    assert reasons_text(score, NOW, language=language) == expected


def test_reasons_stay_within_the_text_limit():
    many = [tp("application", d, f"v{d}", "Very long vacancy title " * 20) for d in range(40)]
    assert 0 < len(reasons_text(compute_score(many, NOW, MODEL), NOW, max_items=40, language="nl")) <= REASONS_MAX_CHARS


@pytest.mark.parametrize(("language", "generic"), [("en", "a vacancy"), ("nl", "een vacature")])
def test_task_facts_give_titles_with_counts_and_subjects(language, generic):
    vacancies, mails = task_facts(compute_score(HISTORY, NOW, MODEL), language)
    assert vacancies == [("Senior Java Developer", 3), (generic, 1)]
    assert mails == ["Nieuwe vacatures juni"]
