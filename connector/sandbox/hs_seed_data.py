"""Static demo data for the seed: recruiters, candidate names, careers pages and email campaigns."""

from __future__ import annotations

import unicodedata

MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000  # milliseconds
CAREERS = "https://careers.example.com"
# Public: the ATS sandbox and the demo use the same vacancies.
VACANCIES = [
    ("senior-java-developer", "Senior Java Developer"),
    ("frontend-engineer-react", "Frontend Engineer (React)"),
    ("data-engineer", "Data Engineer"),
    ("devops-engineer", "DevOps Engineer"),
    ("product-owner", "Product Owner"),
    ("ux-designer", "UX Designer"),
    ("qa-automation-engineer", "QA Automation Engineer"),
    ("engineering-manager", "Engineering Manager"),
    ("machine-learning-engineer", "Machine Learning Engineer"),
    ("customer-success-manager", "Customer Success Manager"),
    ("recruitment-marketeer", "Recruitment Marketeer"),
    ("finance-business-partner", "Finance Business Partner"),
]
OTHER_PAGES = [("/", "Careers at Example"), ("/about-us", "About us | Careers at Example"),
               ("/benefits", "Benefits | Careers at Example"),
               ("/teams/engineering", "Engineering team | Careers at Example")]
REFERRERS = ["https://www.google.com/", "https://www.linkedin.com/", "https://www.indeed.nl/", ""]

# (first name, last name, email) of the five recruiters (owners).
RECRUITERS = [
    ("Lotte", "Jansen", "lotte.jansen@example.com"),
    ("Daan", "Visser", "daan.visser@example.com"),
    ("Fatima", "El Amrani", "fatima.elamrani@example.com"),
    ("Thomas", "Mulder", "thomas.mulder@example.com"),
    ("Sophie", "de Boer", "sophie.deboer@example.com"),
]
FIRST_NAMES = [
    "Anna", "Sem", "Daan", "Lucas", "Emma", "Julia", "Noah", "Milan", "Tess", "Finn", "Levi", "Sara", "Fleur",
    "Jesse", "Bram", "Lieke", "Thijs", "Roos", "Ruben", "Isa", "Luuk", "Femke", "Stijn", "Noor", "Jasper",
    "Anouk", "Joris", "Eva", "Sanne", "Pieter", "Priya", "Arjun", "Mei", "Wei", "Yusuf", "Omar", "Aisha",
    "Mateo", "Lucía", "Chiara", "Giulia", "Lukas", "Hannah", "Mohammed", "Zeynep", "Emre", "Olga", "Katarzyna",
    "Piotr", "Ana", "João", "Kwame", "Amara", "Hiroshi", "Yuki", "Liam", "Chloé", "Nikhil", "Ingrid", "Rania",
]
LAST_NAMES = [
    "de Vries", "Bakker", "Jansen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos",
    "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
    "van der Meer", "van den Berg", "Kok", "Jacobs", "Raman", "Sharma", "Chen", "Wang", "Yılmaz", "Haddad",
    "García", "Rossi", "Müller", "Kowalski", "Silva", "Mensah", "Okafor", "Tanaka", "Nguyen", "O'Brien",
    "Novak", "Lindqvist",
]
MAIL_DOMAINS = ["example.com", "example.nl", "example.org", "mail.example.net", "inbox.example.eu"]
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Den Haag", "Groningen", "Antwerpen", "Berlin"]
JOB_TITLES = ["Software Engineer", "Senior Developer", "Data Analyst", "Product Designer", "Test Engineer",
              "Team Lead", "Student", "Consultant", "Marketing Specialist", "Controller"]

# Campaigns: (emailCampaignId, subject, days before `now`). One is older than 180 days.
CAMPAIGNS = [
    (318_245_671, "Vacancy digest: winter edition", 250),
    (318_311_902, "Vacancy digest: spring edition", 170),
    (318_402_117, "New roles in Engineering", 140),
    (318_455_390, "Vacancy digest: summer edition", 110),
    (318_517_244, "Meet the Data team", 80),
    (318_598_031, "Vacancy digest: autumn edition", 50),
    (318_640_778, "Tech talent meetup: you're invited", 35),
    (318_702_565, "Hot vacancies this month", 20),
    (318_751_906, "This week's vacancies", 6),
]


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only: 'de Vries' -> 'devries', 'Müller' -> 'muller'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def vacancy_url(slug: str, *, apply: bool = False) -> str:
    return f"{CAREERS}/vacancies/{slug}" + ("/apply" if apply else "")


# Demo contact lists (segments): a DYNAMIC pool of recent engineering-vacancy viewers, a MANUAL finance pool.
ENGINEERING_POOL, FINANCE_POOL = "Engineering talent pool", "Finance talent pool"
ENGINEERING_SLUGS = [slug for slug, _ in VACANCIES if "engineer" in slug or "developer" in slug]
FINANCE_SLUG = "finance-business-partner"
POOL_WINDOW_DAYS = 7  # the engineering pool: viewed an engineering vacancy in the last 7 days
FINANCE_POOL_SIZE = 15  # the recruiter hand-picked the 15 most recent viewers of the finance vacancy


def engineering_pool_filter() -> dict:
    """filterBranch of the engineering pool: OR over one AND branch per vacancy page, viewed in the last week.

    [V] OR root with AND children and the PAGE_VIEW filter's fields (SDK PublicPageViewAnalyticsFilter,
    PublicRelativeRangedTimestampRefineBy, PublicTimeOffset); [U] the operator and offset enum values.
    """
    window = {"type": "RELATIVE_RANGED", "rangeType": "BETWEEN",
              "lowerBoundOffset": {"offsetDirection": "PAST", "timeUnit": "DAY", "amount": POOL_WINDOW_DAYS},
              "upperBoundOffset": {"offsetDirection": "PAST", "timeUnit": "DAY", "amount": 0}}
    branches = [{"filterBranchType": "AND", "filterBranchOperator": "AND", "filterBranches": [],
                 "filters": [{"filterType": "PAGE_VIEW", "pageUrl": vacancy_url(slug), "operator": "HAS_PAGEVIEW_EQ",
                              "enableTracking": False, "pruningRefineBy": window}]}
                for slug in ENGINEERING_SLUGS]
    return {"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": [], "filterBranches": branches}
