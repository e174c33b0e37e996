"""`connector owners`: the portal's owners with their contacts and open connector tasks (a rich table)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def render_owners(console: Console, summaries) -> None:
    """One row per owner: id, name, email, live contacts owned, open connector tasks."""
    if not summaries:
        console.print("No owners: HubSpot lists none and no contact has an owner.")
        return
    table = Table(title="HubSpot owners")
    for col, kw in (("id", {}), ("name", {}), ("email", {}), ("contacts", {"justify": "right"}),
                    ("open tasks", {"justify": "right"})):
        table.add_column(col, **kw)
    for s in summaries:
        name = escape(s.name) + (" [dim](deactivated)[/dim]" if s.archived else "")
        table.add_row(escape(s.id), name, escape(s.email or "-"), str(s.contacts), str(s.open_tasks))
    console.print(table)
