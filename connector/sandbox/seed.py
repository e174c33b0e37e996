"""Deterministic demo data for the HubSpot sandbox, relative to `now`.

`seed_portal(portal, now_ms)` fills a portal with (same seed, same `now` -> same data, ids included):
- 5 owners (recruiters) and 230 candidates (plus 2 duplicates merged away): Dutch and international names,
  unique emails, an owner for ~94% of them, some with `hs_additional_emails` (older mail went there).
- Web page views on https://careers.example.com (12 `VACANCIES` at /vacancies/<slug>, their /apply pages,
  and /, /about-us, /benefits, /teams/engineering) and marketing-email events of 9 campaigns (one older
  than 180 days): SENT, DELIVERED, OPEN, CLICK (to vacancy or apply pages), some bot opens/clicks marked
  `filteredEvent: true`, hard BOUNCEs, SPAMREPORT and unsubscribe STATUSCHANGEs.
- Segments: ~10% fans (about half steady browsers: careers visits on 4-5 days of the last two weeks and email
  clicks, never an apply page, like Anna; the others vacancy views this week, email clicks, apply-page views),
  ~20% warm, ~15% lurkers (many views long ago, a third of them also >180 days ago), ~8% abandoned
  applications (an apply-page view 2 hours to 6 days ago and nothing after), ~3% unsubscribed, spam
  reporters or hard-bounced, the rest cold (nothing, or only SENT/DELIVERED, sometimes bot-only events).
- Two merged pairs and one archived contact. Rollups (hs_analytics_*, hs_email_*) and lastmodifieddate
  agree with the events.
- Two contact lists: "Engineering talent pool" (DYNAMIC: viewed an engineering vacancy in the last 7 days,
  ~40 members) and "Finance talent pool" (MANUAL: the 15 latest viewers of the finance vacancy); their ids
  are in the summary's `lists` ({name: id}).
- Forms (hs_seed_forms): "Solliciteer: <vacancy>" and "Apply" application forms sent on apply pages by some
  who viewed one (never by the abandoned segment), a "Start application" step, a "Job alert" pop-up; the
  summary's `forms` holds {forms: {name: guid}} and the emails that applied, started or signed up.
Showcase contacts are fixed: `DEMO_FAN_EMAIL` (Anna de Vries, fan), `DEMO_ABANDONED_EMAIL` (Sem Bakker),
`DEMO_MERGED_EMAIL` (Priya Raman, survivor of a merge); `seed_portal` returns every email by segment.
"""

from __future__ import annotations

import random
import zlib

from .hs_lists import create as create_list
from .hs_seed_activity import DEMO_FAN_EMAIL, ActivitySeeder
from .hs_seed_data import (
    CITIES,
    DAY,
    ENGINEERING_POOL,
    ENGINEERING_SLUGS,
    FINANCE_POOL,
    FINANCE_POOL_SIZE,
    FINANCE_SLUG,
    FIRST_NAMES,
    HOUR,
    JOB_TITLES,
    LAST_NAMES,
    MAIL_DOMAINS,
    MIN,
    POOL_WINDOW_DAYS,
    RECRUITERS,
    VACANCIES,
    ascii_slug,
    engineering_pool_filter,
    vacancy_url,
)
from .hs_seed_forms import seed_forms
from .hs_store import Portal, Record

__all__ = ["VACANCIES", "DEMO_FAN_EMAIL", "DEMO_ABANDONED_EMAIL", "DEMO_MERGED_EMAIL", "seed_portal"]

SEED = 20_240_611
N_CANDIDATES = 230
SEGMENTS = [("fan", 23), ("warm", 46), ("lurker", 34), ("abandoned", 18), ("unsubscribed", 4),
            ("bounced", 3)]  # the rest are cold
DEMO_ABANDONED_EMAIL = "sem.bakker@example.com"
DEMO_MERGED_EMAIL = "priya.raman@example.org"
FIXED = [("Anna", "de Vries", DEMO_FAN_EMAIL, "fan"), ("Sem", "Bakker", DEMO_ABANDONED_EMAIL, "abandoned"),
         ("Priya", "Raman", DEMO_MERGED_EMAIL, "warm")]


class _Seeder(ActivitySeeder):
    def __init__(self, portal: Portal, now_ms: int):
        self.portal, self.now, self.rng = portal, now_ms, random.Random(SEED)
        self.people: list[dict] = []
        self.spam_reported = False
        self.session_id = ""

    # --- people --------------------------------------------------------------------------------

    def owners(self) -> list[str]:
        for i, (first, last, email) in enumerate(RECRUITERS):
            owner_id, created = str(72_015_301 + i * 117), self.now - (700 - i * 40) * DAY
            stamp = _iso(created)
            self.portal.owners[owner_id] = {
                "id": owner_id, "email": email, "type": "PERSON", "firstName": first, "lastName": last,
                "userId": 9_100_201 + i, "userIdIncludingInactive": 9_100_201 + i, "createdAt": stamp,
                "updatedAt": stamp, "archived": False,
                "teams": [{"id": "4410021", "name": "Recruitment", "primary": True}]}
        return list(self.portal.owners)

    def names(self) -> list[tuple[str, str, str, str]]:
        rng, taken = self.rng, {email for _, _, email, _ in FIXED}
        used = {(f, last) for f, last, _, _ in FIXED}
        segments = [s for s, n in SEGMENTS for _ in range(n)]
        segments += ["cold"] * (N_CANDIDATES - len(segments))
        for _, _, _, fixed in FIXED:
            segments.remove(fixed)
        rng.shuffle(segments)
        people = list(FIXED)
        for segment in segments:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            while (first, last) in used:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            used.add((first, last))
            f, la = ascii_slug(first), ascii_slug(last)
            local = rng.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la}", f"{f}.{la}{rng.randint(2, 99)}"])
            email = f"{local}@{rng.choice(MAIL_DOMAINS)}"
            while email in taken:
                email = f"{local}{rng.randint(100, 999)}@{rng.choice(MAIL_DOMAINS)}"
            taken.add(email)
            people.append((first, last, email, segment))
        return people

    def create(self, first: str, last: str, email: str, segment: str, owners: list[str], created: int,
               extra_email: str = "") -> dict:
        rng = self.rng
        values = {"email": email, "firstname": first, "lastname": last, "city": rng.choice(CITIES),
                  "jobtitle": rng.choice(JOB_TITLES), "lifecyclestage": rng.choice(["subscriber", "lead"]),
                  "hs_analytics_source": rng.choice(["ORGANIC_SEARCH", "SOCIAL_MEDIA", "EMAIL_MARKETING",
                                                     "DIRECT_TRAFFIC", "REFERRALS"])}
        if rng.random() > 0.06:
            values["hubspot_owner_id"] = rng.choice(owners)
        if extra_email:
            values["hs_additional_emails"] = extra_email
        digits = zlib.crc32(email.encode())          # not the rng: a phone must not shift the rest of the seed
        if digits % 5:
            values["phone"] = f"+31 6 {digits % 10**8:08d}"
        rec = self.portal.create("contacts", values, created)
        marketing = segment != "cold" or rng.random() < 0.65
        person = {"rec": rec, "segment": segment, "email": email, "extra": extra_email, "created": created,
                  "marketing": marketing, "stopped": None, "quiet_after": None}
        self.people.append(person)
        return person

    def created_at(self, segment: str, marketing_hint: float) -> int:
        rng = self.rng
        if segment == "lurker":
            return self.now - rng.randint(420, 520) * DAY
        if segment == "cold" and marketing_hint > 0.65:
            return self.now - rng.randint(3, 120) * DAY
        return self.now - rng.randint(60, 400) * DAY

    # --- wiring --------------------------------------------------------------------------------

    def run(self) -> dict:
        rng, owners = self.rng, self.owners()
        for first, last, email, segment in self.names():
            hint = rng.random()
            extra = f"{ascii_slug(first)}{rng.randint(70, 99)}@private.example.net" if rng.random() < 0.05 else ""
            self.create(first, last, email, segment, owners, self.created_at(segment, hint), extra)
        for person in self.people:
            self.browse(person)
        merges = self.duplicates(owners)
        self.campaigns()
        for k, (primary, duplicate, when) in enumerate(merges):
            survivor = self.portal.merge(primary, duplicate, when)     # a new record with a new id (as HubSpot)
            person = next(p for p in self.people if p["rec"] is primary)
            person["rec"] = survivor
            merges[k] = (primary, duplicate, when, survivor)
        for person in self.people:
            rec = person["rec"]
            settled = self.settle_time(rec)
            if rec.merged_into is None and not self.portal.refresh_rollups(rec, max(rec.updated_ms, settled)) \
                    and settled > rec.updated_ms:
                self.portal.touch(rec, settled)  # rollups recalculated after the last event
        archived = next(p for p in reversed(self.people) if p["segment"] == "cold" and not p["marketing"])
        self.portal.archive(archived["rec"], self.now - 12 * DAY)
        summary = self.summary(merges, archived)
        summary["lists"] = self.talent_lists()
        summary["forms"] = seed_forms(self.portal, self.now, self.people)
        return summary

    def talent_lists(self) -> dict[str, str]:
        """The two demo lists, from live contacts' page views (no rng: the rest of the seed is unchanged)."""
        portal, now = self.portal, self.now
        engineering_urls = {vacancy_url(slug) for slug in ENGINEERING_SLUGS}
        since, finance_url = now - POOL_WINDOW_DAYS * DAY, vacancy_url(FINANCE_SLUG)
        engineering: dict[str, int] = {}
        finance: dict[str, int] = {}
        for rec in portal.live("contacts"):
            views = portal.web_events.get(rec.id, [])
            recent = [e["ms"] for e in views if e["url"] in engineering_urls and e["ms"] > since]
            if recent:  # list processing picks a new match up a couple of minutes later [U]
                engineering[rec.id] = min(now, min(recent) + 2 * MIN)
            seen = [e["ms"] for e in views if e["url"] == finance_url]
            if seen:  # the recruiter added them the day after their last look
                finance[rec.id] = min(now - HOUR, max(seen) + DAY)
        picked = sorted(finance, key=lambda i: (-finance[i], int(i)))[:FINANCE_POOL_SIZE]
        finance = {i: finance[i] for i in picked}
        eng = create_list(portal, ENGINEERING_POOL, "DYNAMIC", now - 120 * DAY, engineering,
                          engineering_pool_filter())
        fin = create_list(portal, FINANCE_POOL, "MANUAL", min(finance.values(), default=now) - DAY, finance)
        return {eng.name: eng.list_id, fin.name: fin.list_id}

    def duplicates(self, owners: list[str]) -> list[tuple[Record, Record, int]]:
        """Two candidates who signed up twice; the duplicates are merged into them 15 and 9 days ago."""
        warm = [p for p in self.people if p["segment"] == "warm"]
        merges = []
        for person, days_ago in zip([warm[0], warm[-1]], (15, 9), strict=True):
            rec = person["rec"]
            first, last = rec.props["firstname"], rec.props["lastname"]
            email = f"{ascii_slug(first)[0]}.{ascii_slug(last)}@mail.example.net"
            dup = self.create(first, last, email, "warm", owners, self.now - 40 * DAY)
            self.session(dup, self.now - 30 * DAY, 2)
            dup["stopped"] = self.now - days_ago * DAY  # after the merge, mail goes to the survivor
            merges.append((rec, dup["rec"], dup["stopped"]))
        return merges

    def settle_time(self, rec: Record) -> int:
        """When HubSpot would have recalculated the rollups: a little after the last activity."""
        times = [e["ms"] for e in self.portal.web_events.get(rec.id, [])]
        times += [e["created"] for r in self.portal.emails_of(rec) for e in self.portal.events_by_recipient.get(r, [])]
        if not times:
            return rec.created_ms
        return min(self.now - 1000, max(times) + self.rng.randint(2, 90) * MIN)

    def summary(self, merges: list, archived: dict) -> dict:
        by_segment: dict[str, list[str]] = {}
        for p in self.people:
            if p["rec"].merged_into is None and not p["rec"].archived:
                by_segment.setdefault(p["segment"], []).append(p["email"])
        return {"segments": by_segment, "merged": [(a.id, b.id) for a, b, *_ in merges],
                "merged_into": {old.id: new.id for a, b, _, new in merges for old in (a, b)},
                "archived": archived["rec"].id, "fan": DEMO_FAN_EMAIL, "abandoned": DEMO_ABANDONED_EMAIL,
                "merged_primary": DEMO_MERGED_EMAIL}


def _iso(ms: int) -> str:
    from .hs_props import iso_ms

    return iso_ms(ms)


def seed_portal(portal: Portal, now_ms: int) -> dict:
    """Fill an empty portal with the demo talent pool; returns emails by segment and the showcase ids."""
    return _Seeder(portal, now_ms).run()
