"""A report as the page, the print variant (the PDF's source) and the e-mail show it. The numbers
are written here once (thousands grouped, shares as percentages, gaps as a dash) so that the
three say the same; the templates only place them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from strata.analytics.reports.charts import Chart, _date, _n, _pct, charts
from strata.analytics.reports.months import month_text
from strata.analytics.reports.report import Report

TEMPLATES = "analytics/reports"
TOP_ADVICE = 3  # on the six-month report's first page
DRAWING_THREADS = 4


@dataclass(frozen=True)
class ObjectiveView:
    id: str
    statement: str
    metric: str
    unit: str
    baseline: str
    target: str
    deadline: str
    start: str
    end: str
    change: str
    forecast: str
    status: str
    status_words: str
    note: str
    owner: str
    clicks: str
    visits: str


def objective_views(report: Report) -> list[ObjectiveView]:
    people = {p.id: p.name for p in report.plan.people}
    found = []
    for row in report.objectives:
        k, f = row.kpi, row.kpi.forecast
        forecast = "–"
        if f.value is not None:
            forecast = f"{_n(f.value)} ({_n(f.low)} to {_n(f.high)})"
        visits = "–" if row.visits is None else f"{_n(row.visits.visits)} visits"
        found.append(
            ObjectiveView(
                id=row.id,
                statement=k.objective.statement,
                metric=k.objective.kpi.metric if k.objective.kpi else "no KPI",
                unit=k.measure.unit if k.measure else "",
                baseline=_n(k.baseline),
                target=_n(k.target),
                deadline=_date(k.deadline),
                start=_n(row.start_value),
                end=_n(row.end_value),
                change=_n(row.change, sign=True),
                forecast=forecast,
                status=k.status,
                status_words=k.status_words,
                note=k.note,
                owner=people.get(k.objective.owner or "", k.objective.owner or "nobody"),
                clicks=_n(row.clicks),
                visits=visits,
            )
        )
    return found


def propose_url(slug: str) -> str | None:
    """Where "Review the proposed change" posts to, once the advice's pages exist."""
    try:
        return reverse("advice-propose", args=[slug])
    except NoReverseMatch:
        return None


def context(report: Report, *, interactive: bool) -> dict[str, Any]:
    found = charts(report)
    # vl-convert draws outside the GIL: a few at once take about half the time of one by one.
    with ThreadPoolExecutor(max_workers=DRAWING_THREADS) as pool:
        drawn: list[tuple[Chart, str]] = list(zip(found, pool.map(Chart.svg, found), strict=True))
    kpi_charts = {chart.key: (chart, svg) for chart, svg in drawn if chart.key.startswith("kpi-")}
    six = report.period.kind == "six_month"
    month = month_text(report.period.months[-1])
    return {
        "report": report,
        "workspace": report.workspace,
        "slug": report.workspace.slug,
        "month": month,
        "six_month": six,
        "interactive": interactive,
        "objectives": [(view, *kpi_charts.get(f"kpi-{i}", (None, None))) for i, view in enumerate(objective_views(report))],
        "charts": {chart.key.replace("-", "_"): (chart, svg) for chart, svg in drawn if not chart.key.startswith("kpi-")},
        "headlines": report.headlines[:5] if six else report.headlines,
        "top_advice": report.recommendations[:TOP_ADVICE],
        "pillar_names": report.pillar_names,
        "engagement_rows": [
            (key, g.engagement, g.posts, _n(g.per_post))
            for key, g in sorted(report.engagement.by_channel.items(), key=lambda i: -i[1].engagement)
        ],
        "top_posts": [(p, _n(p.gained.engagement)) for p in report.engagement.top],
        "responses": [
            (f, _pct(f.response_rate), _n(f.median_first_minutes), _n(f.p90_first_minutes), _pct(f.within_sla)) for f in report.responses
        ],
        "clicks": sorted(report.clicks.items(), key=lambda i: -i[1]["clicks"]),
        "traffic": sorted(report.traffic.items()),
        "support": report.support,
        "support_per_day": _n(report.support.per_day) if report.support else "",
        "alignment": report.alignment,
        "alignment_words": {
            "serving": _pct(report.alignment.serving_share),
            "fitting": _pct(report.alignment.fitting_share),
            "sla": _pct(report.alignment.sla_share),
            "moving": _pct(report.alignment.moving_share),
        },
        "mix_rows": [(m, _pct(m.share), _pct(m.drift, sign=True)) for m in report.alignment.mix],
        "mix_target": _pct(report.plan.content.mix.promotional),
        "propose_url": propose_url(report.workspace.slug) if interactive else None,
        "pdf_url": reverse(f"report-{'six-month' if six else 'monthly'}-pdf", args=[report.workspace.slug, month]),
        "json_url": reverse(f"report-{'six-month' if six else 'monthly'}-json", args=[report.workspace.slug, month]),
    }


def print_html(report: Report) -> str:
    """The print variant: no navigation, no buttons, the print stylesheet inside."""
    return render_to_string(f"{TEMPLATES}/print.html", context(report, interactive=False))


def email_html(report: Report, link: str) -> str:
    return render_to_string(f"{TEMPLATES}/email.html", {**context_for_email(report), "link": link})


def context_for_email(report: Report) -> dict[str, Any]:
    """The e-mail's short summary: no charts (the PDF attached has them)."""
    return {
        "report": report,
        "headlines": report.headlines,
        "objectives": objective_views(report),
        "top_advice": report.recommendations[:TOP_ADVICE],
    }
