"""Seeded activity: careers-site browsing sessions per segment and the marketing-email campaign chains."""

from __future__ import annotations

import random

from .hs_activity import email_event, event_id, mark_obsolete, web_event
from .hs_seed_data import CAMPAIGNS, CAREERS, DAY, HOUR, MIN, OTHER_PAGES, REFERRERS, VACANCIES, vacancy_url
from .hs_store import Portal

DEMO_FAN_EMAIL = "anna.devries@example.nl"    # the showcase fan (seed.py) is a steady browser
DEFERRED_EVERY = 17                           # every 17th recipient's mail is queued and deferred once
STEADY_FANS = 0.5                             # share of the other fans who browse steadily and never apply

OPEN_CLICK = {  # segment -> (open probability, click probability) for campaigns within 60 days / older
    "fan": ((0.9, 0.75), (0.6, 0.3)), "warm": ((0.6, 0.3), (0.4, 0.15)), "lurker": ((0.1, 0.0), (0.5, 0.2)),
    "abandoned": ((0.5, 0.25), (0.3, 0.1)), "unsubscribed": ((0.2, 0.0), (0.3, 0.1)),
}


class ActivitySeeder:
    """Page views and email events for the seeded people, mixed into the seed's _Seeder."""

    portal: Portal
    now: int
    rng: random.Random
    people: list[dict]
    spam_reported: bool
    session_id: str

    def view(self, person: dict, ms: int, url: str, title: str, referrer: str = "") -> None:
        if person["created"] - DAY < ms <= self.now:
            self.portal.add_web_event(person["rec"].id, web_event(self.portal, ms=ms, url=url, title=title,
                                                                  referrer=referrer, session=self.session_id))

    def session(self, person: dict, start: int, pages: int, *, vacancies: list | None = None,
                apply: bool = False) -> int:
        rng, ms = self.rng, start
        picks = vacancies or VACANCIES
        referrer, self.session_id = rng.choice(REFERRERS), self.portal.next_uuid("session")
        for i in range(pages):
            if rng.random() < 0.7:
                slug, title = rng.choice(picks)
                self.view(person, ms, vacancy_url(slug), f"{title} | Careers at Example", referrer if not i else "")
            else:
                path, title = rng.choice(OTHER_PAGES)
                self.view(person, ms, CAREERS + path, title, referrer if not i else "")
            ms += rng.randint(1, 6) * MIN
        if apply:
            slug, title = rng.choice(picks)
            self.view(person, ms, vacancy_url(slug), f"{title} | Careers at Example")
            ms += rng.randint(2, 8) * MIN
            self.view(person, ms, vacancy_url(slug, apply=True), f"Apply: {title} | Careers at Example")
        return ms

    def browse(self, person: dict) -> None:
        rng, seg, now = self.rng, person["segment"], self.now
        favourites = rng.sample(VACANCIES, 3)
        if seg == "fan" and (person["email"] == DEMO_FAN_EMAIL or rng.random() < STEADY_FANS):
            # Steady browsers: careers visits on 5-6 distinct UTC days of the last two weeks and no apply page:
            # the fans recruiters want to call whether or not they applied (model v2's return visits).
            person["steady"] = True
            today = now - now % DAY
            days = rng.randint(5, 6)
            if person["email"] == DEMO_FAN_EMAIL:   # the showcase fan stays a fan at any hour of the demo
                days = 6
            for day in sorted(rng.sample(range(1, 13), days)):
                self.session(person, today - day * DAY + rng.randint(8, 20) * HOUR, rng.randint(2, 4),
                             vacancies=favourites)
        elif seg == "fan":
            for _ in range(rng.randint(2, 3)):
                self.session(person, now - rng.randint(12, 140) * HOUR, rng.randint(2, 4), vacancies=favourites)
            self.session(person, now - rng.randint(3, 70) * HOUR, 1, vacancies=favourites, apply=True)
            for _ in range(rng.randint(1, 3)):
                self.session(person, now - rng.randint(20, 90) * DAY, rng.randint(1, 3))
        elif seg == "warm":
            for _ in range(rng.randint(1, 3)):
                self.session(person, now - rng.randint(1, 30) * DAY - rng.randint(0, 20) * HOUR,
                             rng.randint(1, 3), vacancies=favourites)
            if rng.random() < 0.5:
                self.session(person, now - rng.randint(40, 170) * DAY, rng.randint(1, 3))
        elif seg == "lurker":
            for _ in range(rng.randint(4, 8)):
                self.session(person, now - rng.randint(60, 175) * DAY, rng.randint(2, 4))
            if rng.random() < 0.34:
                for _ in range(rng.randint(2, 4)):
                    self.session(person, now - rng.randint(190, 400) * DAY, rng.randint(1, 3))
        elif seg == "abandoned":
            moment = now - rng.randint(2 * 60, 6 * 24 * 60) * MIN
            if rng.random() < 0.6:
                self.session(person, now - rng.randint(10, 40) * DAY, rng.randint(1, 3), vacancies=favourites)
            slug, title = favourites[0]
            self.session_id = self.portal.next_uuid("session")
            self.view(person, moment - rng.randint(3, 10) * MIN, vacancy_url(slug), f"{title} | Careers at Example",
                      rng.choice(REFERRERS))
            self.view(person, moment, vacancy_url(slug, apply=True), f"Apply: {title} | Careers at Example")
            person["quiet_after"] = moment
        elif seg in ("unsubscribed", "bounced") and rng.random() < 0.5:
            self.session(person, now - rng.randint(30, 160) * DAY, rng.randint(1, 3))

    def mail(self, **fields) -> dict | None:
        if fields["created"] > self.now:
            return None
        return self.portal.add_email_event(email_event(self.portal, **fields))

    def campaigns(self) -> None:
        rng = self.rng
        for campaign_id, subject, days in CAMPAIGNS:
            sent_at = self.now - days * DAY + 9 * HOUR - self.now % DAY
            for k, person in enumerate(self.people):
                stopped = person["stopped"]
                if not person["marketing"] or person["created"] >= sent_at or (stopped and sent_at >= stopped):
                    continue
                recipient = person["extra"] if person["extra"] and days > 100 else person["email"]
                base = {"recipient": recipient, "campaign_id": campaign_id, "subject": subject}
                sent = self.mail(type="SENT", created=sent_at + k * 1000, **base)
                if sent is None:
                    continue
                chain = dict(base, sent_by=sent)
                if person["segment"] == "bounced":
                    self.mail(type="BOUNCE", created=sent["created"] + 2 * MIN, category="UNKNOWN_USER", **chain)
                    person["stopped"] = sent["created"]
                    continue
                delivered_at = sent["created"] + rng.randint(40, 180) * 1000
                deferred = None
                if k % DEFERRED_EVERY == 0:      # queued, deferred once, then delivered
                    self.mail(type="PROCESSED", created=sent["created"] + 1000, **chain)
                    deferred = self.mail(type="DEFERRED", created=sent["created"] + 20_000, **chain)
                delivered = self.mail(type="DELIVERED", created=delivered_at, **chain)
                if deferred and delivered:   # [U] the delivery that followed makes the deferral obsolete
                    mark_obsolete(self.portal, deferred["id"], delivered)
                self.engage(person, chain, sent["created"], days)

    def engage(self, person: dict, chain: dict, sent: int, days: int) -> None:
        rng, seg = self.rng, person["segment"]
        if rng.random() < 0.06:  # security scanners open and click within seconds: filtered as bots
            self.mail(type="OPEN", created=sent + rng.randint(5, 50) * 1000, filtered=True, **chain)
            if rng.random() < 0.5:
                self.mail(type="CLICK", created=sent + rng.randint(5, 50) * 1000, filtered=True,
                          url=vacancy_url(rng.choice(VACANCIES)[0]), **chain)
        if seg not in OPEN_CLICK:
            return
        p_open, p_click = OPEN_CLICK[seg][0 if days <= 60 else 1]
        quiet = person["quiet_after"] or self.now
        opened = sent + rng.randint(20, 36 * 60) * MIN
        if rng.random() < p_open and opened < quiet:
            self.mail(type="OPEN", created=opened, device=rng.choice(["COMPUTER", "MOBILE"]), **chain)
            clicked = opened + rng.randint(1, 5) * MIN
            if rng.random() < p_click and clicked < quiet:
                slug = rng.choice(VACANCIES)[0]
                url = vacancy_url(slug, apply=seg == "fan" and not person.get("steady") and rng.random() < 0.3)
                self.mail(type="CLICK", created=clicked, url=f"{url}?utm_source=hs_email&utm_medium=email"
                          f"&utm_campaign={chain['campaign_id']}&_hsmi={chain['campaign_id']}", **chain)
        if seg == "unsubscribed" and days <= 50 and not person["stopped"]:
            kind = "STATUSCHANGE" if self.spam_reported else "SPAMREPORT"
            self.spam_reported = True
            event = self.mail(type=kind, created=sent + rng.randint(2, 30) * HOUR, **chain)
            if kind == "SPAMREPORT" and event:   # the unsubscribe the spam report caused [U: source and timing]
                self.mail(type="STATUSCHANGE", created=event["created"] + 1000, causedBy=event_id(event),
                          source="SOURCE_SPAM_REPORT", **chain)
            person["stopped"] = sent
