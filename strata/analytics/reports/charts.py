"""The report's charts: one Vega-Lite specification each (Altair), drawn on the server as SVG by
vl-convert, which runs Vega inside the process: no browser, no network, nothing kept on disk.
The page inlines the SVG and the PDF draws the same SVG, so both show one picture.

Every chart has a title, a sentence saying what it shows (the SVG's accessible name) and its
numbers as a table for those who cannot see it. Labels come from the plan and the platforms:
Vega escapes text and attributes it writes; characters XML cannot carry are dropped first."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from strata.analytics.reports.report import Report
from strata.xmltext import xml_text

WIDTH, HEIGHT = 560, 220
FONT = "DejaVu Sans, Verdana, sans-serif"  # installed here and in the PDF; no web font is fetched
CONFIG = {
    "font": FONT,
    "aria": False,  # the whole chart is one image with a name and a table beside it
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333", "titleColor": "#333"},
    "title": {"fontSize": 14, "anchor": "start", "color": "#172033"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
}
INK, TARGET, FORECAST = "#2b5797", "#b3261e", "#8a5a00"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str  # what the chart shows, in one or two sentences
    headers: list[str]
    rows: list[list[str]]  # the chart's numbers, as the table beside it shows them
    spec: dict[str, Any]

    def svg(self) -> SafeString:
        """The chart as inline SVG: ids made unique to this chart (a page holds several), and
        named for screen readers by its title and description."""
        drawn = vl_convert.vegalite_to_svg(self.spec)
        prefix = f"c-{self.key}-"
        drawn = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', drawn)
        drawn = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", drawn)
        drawn = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', drawn)
        label = escape(xml_text(f"{self.title}. {self.description}"))
        drawn = drawn.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
        return mark_safe(drawn)


def charts(report: Report) -> list[Chart]:
    """Every chart of the report, in the page's order; a chart with nothing to show is left out."""
    found = [
        followers(report),
        engagement_by(report, "pillar"),
        engagement_by(report, "channel"),
        mix(report),
        sla(report),
        first_answer(report),
    ]
    found += [kpi(report, i) for i in range(len(report.objectives))]
    return [c for c in found if c is not None]


def _data(values: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _text(value: str) -> str:
    return xml_text(value)[:80]


def _chart(data: list[dict[str, Any]], title: str) -> alt.Chart:
    return alt.Chart(_data(data)).properties(title=_text(title), width=WIDTH, height=HEIGHT)


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    spec["config"] = CONFIG
    return spec


def followers(report: Report) -> Chart | None:
    if not report.followers:
        return None
    data = [{"channel": _text(c), "day": d.isoformat(), "followers": v} for c, s in report.followers.items() for d, v in s]
    chart = (
        _chart(data, "Followers per channel")
        .mark_line(point={"size": 18}, strokeWidth=2)
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%-d %b", labelAngle=0)),
            y=alt.Y("followers:Q", title="followers", scale=alt.Scale(zero=False)),
            color=alt.Color("channel:N", title="channel"),
        )
    )
    rows = []
    for channel, series in report.followers.items():
        known = [(d, v) for d, v in series if v is not None]
        gaps = sum(1 for _, v in series if v is None)
        first, last = (known[0][1], known[-1][1]) if known else (None, None)
        rows.append([channel, _n(first), _n(last), _n(None if first is None or last is None else last - first, sign=True), str(gaps)])
    return Chart(
        "followers",
        "Followers per channel",
        "Followers of each channel per day; a break in a line is a day without a number (a gap, not a fall).",
        ["Channel", "First", "Last", "Change", "Days without a number"],
        rows,
        _spec(chart),
    )


def engagement_by(report: Report, by: str) -> Chart | None:
    groups = report.engagement.by_pillar if by == "pillar" else report.engagement.by_channel
    if not groups:
        return None
    names = report.pillar_names
    named = {key: (names.get(key, key) or "no pillar") if by == "pillar" else key for key in groups}
    data = [{"name": _text(named[k]), "engagement": g.engagement, "posts": g.posts} for k, g in groups.items()]
    chart = (
        _chart(data, f"Engagement by {by}")
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("name:N", title=None, sort="-x"),
            x=alt.X("engagement:Q", title="likes, reposts, replies and quotes gained"),
        )
        .properties(height=max(40, 28 * len(data)))
    )
    rows = [[named[k], _n(g.engagement), _n(g.posts), _n(g.per_post)] for k, g in sorted(groups.items(), key=lambda i: -i[1].engagement)]
    return Chart(
        f"engagement-{by}",
        f"Engagement by {by}",
        f"What the posts of each {by} gained in the period: likes, reposts, replies and quotes.",
        [by.title(), "Engagement", "Posts read", "Per post"],
        rows,
        _spec(chart),
    )


def mix(report: Report) -> Chart | None:
    channels = [m for m in report.alignment.mix if m.share is not None]
    if not channels:
        return None
    target = report.plan.content.mix.promotional
    data = [{"channel": _text(m.channel_id), "share": m.share, "posts": m.posts} for m in channels]
    bars = (
        alt.Chart(_data(data))
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("channel:N", title=None),
            x=alt.X("share:Q", title="promotional share of posts", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        )
    )
    rule = alt.Chart(_data([{"target": target}])).mark_rule(color=TARGET, strokeWidth=2, strokeDash=[4, 3]).encode(x="target:Q")
    chart = alt.layer(bars, rule).properties(title="Promotional mix against target", width=WIDTH, height=max(40, 28 * len(data)))
    rows = [[m.channel_id, _n(m.posts), _n(m.promotional), _pct(m.share), _pct(m.drift, sign=True)] for m in channels]
    return Chart(
        "mix",
        "Promotional mix against target",
        f"The share of each channel's posts that promote; the dashed line is the plan's target of {target:.0%}.",
        ["Channel", "Posts", "Promotional", "Share", "Against target"],
        rows,
        _spec(chart),
    )


def sla(report: Report) -> Chart | None:
    timed = [f for f in report.responses if f.within_sla is not None]
    if not timed:
        return None
    data = [{"channel": _text(f.key), "within": f.within_sla} for f in timed]
    chart = (
        _chart(data, "Answered within SLA")
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("channel:N", title=None),
            x=alt.X("within:Q", title="share within SLA", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        )
        .properties(height=max(40, 28 * len(data)))
    )
    rows = [[f.key, _n(f.conversations), _n(f.answered), _pct(f.response_rate), _pct(f.within_sla)] for f in report.responses]
    return Chart(
        "sla",
        "Answered within SLA",
        "The share of each channel's conversations whose first answer came within the response plan's target.",
        ["Channel", "Conversations", "Answered", "Response rate", "Within SLA"],
        rows,
        _spec(chart),
    )


def first_answer(report: Report) -> Chart | None:
    answered = [f for f in report.responses if f.median_first_minutes is not None]
    if not answered:
        return None
    data = [
        {"channel": _text(f.key), "which": which, "minutes": minutes}
        for f in answered
        for which, minutes in (("median", f.median_first_minutes), ("90th percentile", f.p90_first_minutes))
    ]
    chart = (
        _chart(data, "Time to first answer")
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", title=None),
            yOffset=alt.YOffset("which:N"),
            x=alt.X("minutes:Q", title="minutes to first answer"),
            color=alt.Color("which:N", title=None, scale=alt.Scale(range=[INK, "#9db4d6"])),
        )
        .properties(height=max(50, 44 * len(answered)))
    )
    rows = [[f.key, _n(f.median_first_minutes), _n(f.p90_first_minutes)] for f in answered]
    return Chart(
        "first-answer",
        "Time to first answer",
        "Minutes from a conversation's start to its first answer, per channel: the median and the 90th percentile.",
        ["Channel", "Median (minutes)", "90th percentile (minutes)"],
        rows,
        _spec(chart),
    )


def kpi(report: Report, index: int) -> Chart | None:
    row = report.objectives[index]
    k = row.kpi
    if not row.series:
        return None
    unit = k.measure.unit if k.measure else ""
    layers: list[alt.Chart] = []
    points = [{"day": d.isoformat(), "value": v, "what": "actual"} for d, v in row.series]
    f = k.forecast
    last_day = row.series[-1][0]
    if f.value is not None and k.deadline is not None and k.deadline > last_day and f.latest is not None:
        ahead = [{"day": last_day.isoformat(), "value": f.latest, "low": f.latest, "high": f.latest},
                 {"day": k.deadline.isoformat(), "value": f.value, "low": f.low, "high": f.high}]  # fmt: skip
        band = alt.Chart(_data(ahead)).mark_area(opacity=0.18, color=FORECAST).encode(x="day:T", y="low:Q", y2="high:Q")
        line = alt.Chart(_data(ahead)).mark_line(color=FORECAST, strokeDash=[5, 4]).encode(x="day:T", y="value:Q")
        layers += [band, line]
    actual = (
        alt.Chart(_data(points))
        .mark_line(color=INK, point={"size": 14, "color": INK})
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%-d %b %Y", labelAngle=0, tickCount=5)),
            y=alt.Y("value:Q", title=_text(unit), scale=alt.Scale(zero=False)),
        )
    )
    layers.insert(0, actual)
    if k.target is not None:
        layers.append(alt.Chart(_data([{"target": k.target}])).mark_rule(color=TARGET, strokeDash=[4, 3]).encode(y="target:Q"))
    title = f"{row.id}: {k.objective.kpi.metric if k.objective.kpi else ''}"
    chart = alt.layer(*layers).properties(title=_text(title), width=WIDTH, height=HEIGHT)
    ahead_words = (
        f" The dashed line carries the trend to the deadline, {_date(k.deadline)}, with its 80 % band;" if f.value is not None else ""
    )
    target_words = f" the red line is the target, {_n(k.target)}." if k.target is not None else " The plan sets no target."
    rows = [[_date(d), _n(v)] for d, v in row.series]
    if f.value is not None and k.deadline is not None:
        rows.append([f"{_date(k.deadline)} (forecast)", f"{_n(f.value)} ({_n(f.low)} to {_n(f.high)})"])
    return Chart(
        f"kpi-{index}",
        title,
        f"The KPI of objective {row.id} by day over the period.{ahead_words}{target_words}",
        ["Day", _text(unit).capitalize() or "Value"],
        rows,
        _spec(chart),
    )


def _n(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+,.0f}" if sign else f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return text


def _pct(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:+.0f} points" if sign else f"{value:.0%}"


def _date(day: dt.date | None) -> str:
    return "–" if day is None else f"{day.day} {day:%b %Y}"
