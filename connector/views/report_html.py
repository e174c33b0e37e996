"""`connector report --html`: one self-contained page (inline SVG charts from pygal, inline CSS, no network)."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from connector.scoring.model import BANDS
from connector.views.report_data import ReportData, load_report

BAND_COLOURS = {"cold": "#9aa5b1", "warm": "#f0b429", "engaged": "#57ae5b", "fan": "#207227"}
STATUS_COLOURS = {"created": "#207227", "pending": "#f0b429", "skipped": "#9aa5b1", "failed": "#d64545"}
CHART_HEIGHT = 320
PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:960px;color:#1f2933}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e4e7eb}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid #e4e7eb;vertical-align:top}td.n{text-align:right}.muted{color:#7b8794}
figure{margin:0}svg.pygal-chart{width:100%;height:auto}
"""


def _chart(kind: str, title: str, colours: list[str], **config):
    import pygal  # lazy: only the report draws charts
    from pygal.style import Style
    style = Style(colors=tuple(colours), background="white", plot_background="white", font_family="sans-serif")
    # js=[]: pygal links its tooltip script from a CDN by default; the page must work offline.
    return getattr(pygal, kind)(title=title, style=style, js=[], height=CHART_HEIGHT, disable_xml_declaration=True,
                                legend_at_bottom=True, print_values=False, **config)


def _svg(chart, name: str) -> str:
    return f'<figure class="chart" data-chart="{name}">{chart.render(is_unicode=True)}</figure>'


def _weeks(data: ReportData) -> list[str]:
    return [f"{d:%d %b}" for d in data.weeks]


def bands_chart(data: ReportData) -> str:
    chart = _chart("StackedBar", "Talent pool by band, end of each week", [BAND_COLOURS[b] for b in BANDS])
    chart.x_labels = _weeks(data)
    for band in BANDS:
        chart.add(band, data.bands_by_week[band])
    return _svg(chart, "bands")


def scores_chart(data: ReportData) -> str:
    chart = _chart("Bar", "Score distribution (scored contacts now)", ["#3e7cb1"], show_legend=False)
    chart.x_labels = [label for label, _ in data.score_buckets]
    chart.add("contacts", [n for _, n in data.score_buckets])
    return _svg(chart, "scores")


def tasks_chart(data: ReportData) -> str:
    chart = _chart("HorizontalBar", "Recruiter tasks by outcome", [STATUS_COLOURS.get(s, "#3e7cb1")
                                                                   for s in data.task_status])
    for status, n in data.task_status.items():
        chart.add(status, [n])
    return _svg(chart, "tasks")


def tasks_weekly_chart(data: ReportData) -> str:
    chart = _chart("Bar", "Recruiter tasks created in HubSpot per week", [STATUS_COLOURS["created"]], show_legend=False)
    chart.x_labels = _weeks(data)
    chart.add("created", data.tasks_by_week)
    return _svg(chart, "tasks_weekly")


def _task_counts(data: ReportData) -> str:
    return "<p>" + ", ".join(f"{escape(status)}: {n}" for status, n in data.task_status.items()) + ".</p>"


def flags_chart(data: ReportData) -> str:
    chart = _chart("Bar", "Forgotten applications flagged and cleared per week", ["#d64545", "#57ae5b"])
    chart.x_labels = _weeks(data)
    chart.add("flagged", data.flags_set_by_week)
    chart.add("cleared", data.flags_cleared_by_week)
    return _svg(chart, "flags")


def ats_chart(data: ReportData) -> str:
    if data.ats_by_band is None:
        return '<p class="muted" data-empty="ats">No ATS data yet: once applications are pulled from the ATS, ' \
               'this shows how many candidates of each band applied and were hired.</p>'
    chart = _chart("Bar", "Applied and hired, by band", ["#3e7cb1", "#207227"])
    chart.x_labels = list(BANDS)
    chart.add("applied", [data.ats_by_band[b][1] for b in BANDS])
    chart.add("hired", [data.ats_by_band[b][2] for b in BANDS])
    return _svg(chart, "ats")


def _fans_tables(data: ReportData) -> str:
    if not data.fans_by_owner:
        return '<p class="muted">No fans yet.</p>'
    parts = []
    for owner, fans in data.fans_by_owner.items():
        rows = "".join(f"<tr><td>{escape(f.name)}</td><td class=\"n\">{f.score}</td><td>{escape(f.reasons or '-')}</td></tr>"
                       for f in fans)
        parts.append(f"<h3>{escape(owner)}</h3><table><tr><th>candidate</th><th>score</th><th>reasons</th></tr>"
                     f"{rows}</table>")
    return "".join(parts)


def _reasons(data: ReportData) -> str:
    items = ", ".join(f"{escape(reason)}: {n}" for reason, n in data.clear_reasons.items()) or "none yet"
    return f"<p>Flagged now: {data.flags_open}. Cleared, by reason: {items}.</p>"


def render_report(data: ReportData) -> str:
    """The whole page as one HTML string; every value from HubSpot is escaped."""
    sections = [
        ("bands", "Pool by band", bands_chart(data)),
        ("scores", "Score distribution", scores_chart(data)),
        ("fans", "Top fans per owner", _fans_tables(data)),
        ("tasks", "Recruiter tasks", tasks_chart(data) + _task_counts(data) + tasks_weekly_chart(data)),
        ("flags", "Forgotten applications", flags_chart(data) + _reasons(data)),
        ("ats", "Applications and hires by band", ats_chart(data)),
    ]
    body = "".join(f'<section id="{sid}"><h2>{title}</h2>{html}</section>' for sid, title, html in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talent engagement report</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{PAGE_CSS}</style></head>'
            f'<body><h1>Talent engagement report</h1><p class="muted">Generated '
            f'{data.generated_at:%Y-%m-%d %H:%M} UTC from the connector\'s state database.</p>{body}</body></html>')


def report_page(session, now, model_path, weeks: int) -> str:
    """The report of the state DB as of `now`, banded by the scoring model (SCORING_MODEL_PATH or the packaged one)."""
    from connector.scoring.config import load_model
    return render_report(load_report(session, now, load_model(model_path).bands, weeks=weeks))


def write_report(path: str | Path, html: str) -> None:
    """The page holds candidates' names: created 0600, like the CSV exports."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)
