"""HubSpot forms: list the portal's forms (marketing v3), page each form's submissions, submissions → touchpoints.

Submissions come from the v1 form-integrations feed, which the SDK does not cover: newest first only, `after`
paging, at most 50 per page, no time filter and no contact id (reference hubspot-api.md §3.11; v1 reference
"Submissions will be returned in reverse-chronological order"). An incremental read therefore walks from the
newest page down to the form's cursor and stops there; the submitter is known only by the `email` value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from connector.errors import FatalError
from connector.hubspot import streams as S
from connector.hubspot.client import HubSpotClient
from connector.hubspot.pull import BadRecordError, _paged, normalize_email
from connector.hubspot.timeparse import to_ms
from connector.scoring.vacancies import VacancyMatcher
from connector.state.forms import FORM_SOURCE, OTHER, form_kind, source_id

EMAIL_FIELD = "email"                  # the contact property HubSpot forms key the submitter on
VACANCY_FIELD = "vacancy"              # optional field of a "start application" form naming the vacancy
NOT_FOUND = 404


@dataclass(frozen=True)
class FormPage:
    rows: list[dict]
    bad: list[BadRecordError]
    read: int
    done: bool              # the walk reached the stop time (or the end): the form's cursor may move


@dataclass(frozen=True)
class Form:
    guid: str
    name: str
    form_type: str
    archived: bool = False


def fetch_forms(client: HubSpotClient) -> list[Form]:
    """Every live and archived form of the types that collect candidates (hubspot, captured, flow)."""
    api = client.api("marketing.forms.forms_api")
    forms: list[Form] = []
    for archived in (False, True):
        def page(after, archived=archived):
            kwargs = {"after": after} if after else {}
            return client.call("forms", api.get_page_with_http_info, limit=S.FORMS_PAGE_SIZE,
                               form_types=S.FORM_TYPES, archived=archived, **kwargs)
        for p in _paged(page):
            forms += [Form(str(f.id).lower(), str(f.name or ""), str(f.form_type or ""), bool(f.archived))
                      for f in p.results or [] if f.id]
    return forms


def unknown_form_ids(forms: Iterable[Form], *configured: Iterable[str]) -> list[str]:
    """Configured guids the portal has no form for (reported, not fatal: the form may come later)."""
    known = {f.guid for f in forms}
    return sorted({g for ids in configured for g in ids} - known)


def submitted_ms(submission: dict) -> int | None:
    try:
        return to_ms(submission.get("submittedAt"))
    except (TypeError, ValueError):
        return None


def fetch_submission_pages(client: HubSpotClient, guid: str, stop_ms: int, until_ms: int
                           ) -> Iterator[tuple[list[dict], bool]]:
    """Submissions with stop <= submittedAt < until (and undated ones, to quarantine), newest page first.

    Yields (submissions, done); done is True on the last page read: one older than `stop_ms` was seen or
    HubSpot has no next page. A form deleted since it was listed (404) has nothing more to read.
    """
    path, after = S.FORM_SUBMISSIONS_PATH.format(guid=quote(guid, safe="")), None
    while True:
        params = {"limit": S.FORM_SUBMISSIONS_PAGE_SIZE, **({"after": after} if after else {})}
        try:
            body = client.get_json("form submissions", path, params)
        except FatalError as exc:
            if exc.status != NOT_FOUND:
                raise
            yield [], True
            return
        kept, older = [], False
        for sub in body.get("results") or []:
            ms = submitted_ms(sub)
            if ms is not None and ms < stop_ms:
                older = True
            elif ms is None or ms < until_ms:
                kept.append(sub)
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        done = older or not after
        yield kept, done
        if done:
            return


def _values(submission: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in submission.get("values") or []:
        if isinstance(item, dict) and item.get("name") and item.get("value") is not None:
            out.setdefault(str(item["name"]).lower(), str(item["value"]))
    return out


def _record_id(form: Form, submission: dict) -> str:
    conversion = str(submission.get("conversionId") or "")
    if not conversion:  # [U] every documented record has one; else a stable stand-in from its content
        digest = hashlib.blake2b(repr(sorted(submission.items())).encode(), digest_size=12).hexdigest()
        conversion = f"x{digest}"
    return source_id(form.guid, conversion)


def submission_touchpoints(form: Form, submission: dict, matcher: VacancyMatcher, application_ids: Iterable[str],
                           start_ids: Iterable[str]) -> list[dict]:
    """The touchpoint of one submission; BadRecordError (field named, no values echoed) when it has no email or time."""
    record_id = _record_id(form, submission)
    occurred = submitted_ms(submission)
    if occurred is None:
        raise BadRecordError(FORM_SOURCE, record_id, "submittedAt", "is not a timestamp")
    values = _values(submission)
    email = normalize_email(values.get(EMAIL_FIELD))
    if email is None:
        raise BadRecordError(FORM_SOURCE, record_id, "values.email", "is missing or not an email address")
    kind, url = form_kind(form.guid, application_ids, start_ids), submission.get("pageUrl") or None
    if kind == OTHER:
        key, label = form.guid, form.name or "form"
    else:
        # the vacancy: the page it was sent on (its slug), else the form's own vacancy field
        match = matcher.classify(url, form.name)
        on_vacancy = match is not None and match.kind in ("vacancy_view", "apply_intent")
        named = values.get(VACANCY_FIELD)
        key = match.key if on_vacancy else _slug(named)
        label = named or (match.label if on_vacancy else None) or form.name or None
    return [{"source": FORM_SOURCE, "source_id": record_id, "kind": kind, "contact_id": None, "recipient": email,
             "occurred_ms": occurred, "key": key, "label": (label or "")[:200] or None, "url": url}]


def _slug(text: str | None) -> str | None:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug or None


def fetch_form_pages(client: HubSpotClient, form: Form, stop_ms: int, until_ms: int, matcher: VacancyMatcher,
                     application_ids: Iterable[str], start_ids: Iterable[str]) -> Iterator[FormPage]:
    """A form's submissions with stop <= submittedAt < until as touchpoint rows, page by page, newest first."""
    for subs, done in fetch_submission_pages(client, form.guid, stop_ms, until_ms):
        rows, bad = [], []
        for sub in subs:
            try:
                rows.extend(submission_touchpoints(form, sub, matcher, application_ids, start_ids))
            except BadRecordError as err:
                bad.append(err)
        yield FormPage(rows, bad, len(subs), done)
