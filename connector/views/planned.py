"""A dry run's planned contact updates: which contacts get which te_* values, datetimes readable."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from connector.views.safe_text import term
from connector.views.when import property_value

PLANNED_LIMIT = 20
VALUE_WIDTH = 40
HIDDEN = ("te_engagement_reasons",)     # long text; `connector explain` shows it in full


def planned_updates(console: Console, planned: dict[str, dict[str, str]], limit: int = PLANNED_LIMIT) -> None:
    """The first `limit` planned updates; one line and no table when nothing would change."""
    if not planned:
        console.print("Dry run: HubSpot would get no contact updates (every value is already written).")
        return
    console.print(f"Dry run: HubSpot would get {len(planned)} contact updates "
                  f"({sum(len(p) for p in planned.values())} values); nothing was written.")
    table = Table(title=f"Planned updates (first {min(limit, len(planned))})")
    table.add_column("contact")
    table.add_column("values", overflow="fold")
    for cid, props in list(planned.items())[:limit]:
        table.add_row(term(cid), term(", ".join(f"{k}={property_value(k, v)[:VALUE_WIDTH]}" for k, v in props.items()
                                                if k not in HIDDEN)))
    console.print(table)
