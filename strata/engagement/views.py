"""The listening page: what was heard for a topic of the plan (or everything), counted and
listed, with a CSV export and a person's correction of an item's labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.timezone import now
from django.views.decorators.http import require_GET, require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.engagement import actions, charts, csvexport, stats
from strata.engagement.models import HeardItem
from strata.strategy.plan.schema import PLATFORMS, ListeningQuery
from strata.strategy.store import current_plan

PER_PAGE = 25
CSV_ROWS = 50_000  # a year of a busy topic; a narrower range exports the rest
DEFAULT_DAYS = 28
FILTERS = ("query", "platform", "sentiment", "intent", "since", "until")


def _access(request: HttpRequest, slug: str, permission: str = "heard.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


@dataclass
class Filters:
    """The GET form, checked: what the page counts, and what the form shows again."""

    topic: str  # "" for every query, stats.ALL for everything heard, or a topic of the plan
    queries: list[ListeningQuery]  # the plan's queries, for the form
    values: dict[str, str]
    selection: stats.Selection
    errors: list[str] = field(default_factory=list)

    @property
    def topics(self) -> list[str]:
        return list(dict.fromkeys(q.topic for q in self.queries))

    @property
    def query_choices(self) -> list[tuple[str, list[ListeningQuery]]]:
        shown = [q for q in self.queries if self.topic in ("", stats.ALL) or q.topic == self.topic]
        return [(t, [q for q in shown if q.topic == t]) for t in dict.fromkeys(q.topic for q in shown)]

    def query_string(self, **extra: Any) -> str:
        pairs = {k: v for k, v in {**self.values, **extra}.items() if v}
        return urlencode(pairs)


def _date(raw: str, name: str, errors: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"'{raw[:20]}' is not a date for {name} (YYYY-MM-DD): the default is used")
        return None


def _filters(access: Access, topic: str, params: QueryDict) -> Filters:
    """1. The topic names a set of the plan's queries; a topic the plan lacks is not found.
    2. Each filter keeps only a value it knows (a query of the topic, a platform, a label).
    3. The range defaults to the last 28 days ending today in the workspace's time zone, and
       spans at most a year."""
    queries = list(current_plan(access.workspace).plan.listening)
    if topic and topic != stats.ALL and not any(q.topic == topic for q in queries):
        raise Http404("no such topic")
    errors: list[str] = []
    values = {name: params.get(name, "").strip()[:100] for name in FILTERS}
    in_topic = [q.id for q in queries if topic in ("", stats.ALL) or q.topic == topic]
    if values["query"] not in in_topic:
        values["query"] = ""
    values["platform"] = values["platform"] if values["platform"] in PLATFORMS else ""
    values["sentiment"] = values["sentiment"] if values["sentiment"] in stats.SENTIMENTS else ""
    values["intent"] = values["intent"] if values["intent"] in actions.INTENTS else ""

    tz = access.workspace.tzinfo
    today = now().astimezone(tz).date()
    until = _date(values["until"], "until", errors) or today
    since = _date(values["since"], "from", errors) or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        errors.append("the range ended before it began: the two dates were swapped")
        since, until = until, since
    if (until - since).days >= stats.MAX_DAYS:
        since = until - dt.timedelta(days=stats.MAX_DAYS - 1)
        errors.append(f"a range spans at most {stats.MAX_DAYS} days: it starts on {since.isoformat()}")
    values["since"], values["until"] = since.isoformat(), until.isoformat()

    query_ids: tuple[str, ...] | None
    if values["query"]:
        query_ids = (values["query"],)
    elif topic == stats.ALL:
        query_ids = None
    elif topic:
        query_ids = tuple(in_topic)
    else:
        query_ids = ()
    selection = stats.Selection(
        workspace=access.workspace,
        since=since,
        until=until,
        tz=tz,
        query_ids=query_ids,
        platform=values["platform"],
        sentiment=values["sentiment"],
        intent=values["intent"],
    )
    return Filters(topic, queries, values, selection, errors)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    on: bool


@dataclass(frozen=True)
class Card:
    """One item as the page shows it, with its labels as buttons or badges."""

    item: HeardItem
    sentiments: list[Choice]
    intents: list[Choice]
    model: str  # the model's labels, for the title of a corrected item
    corrected_by: str


def _name(intent: str) -> str:
    return intent.replace("_", " ")


def card(item: HeardItem) -> Card:
    shown = item.shown_intents
    model = f"the model said: {item.sentiment or 'no sentiment'}; " + (
        ", ".join(_name(i) for i in item.intents) if item.intents else "no intent"
    )
    return Card(
        item=item,
        sentiments=[Choice(s, s, s == item.shown_sentiment) for s in stats.SENTIMENTS],
        intents=[Choice(i, _name(i), i in shown) for i in actions.INTENTS],
        model=model,
        corrected_by=str(item.corrected_by) if item.corrected_by else "someone no longer here",
    )


def _item_context(access: Access, item: HeardItem, back: str) -> dict[str, Any]:
    return {"access": access, "slug": access.workspace.slug, "c": card(item), "may_label": access.may("heard.label"), "back": back}


@login_required
@require_GET
def listening(request: HttpRequest, slug: str, topic: str = "") -> HttpResponse:
    """1. Check the filters. 2. Count the selection (per day, per sentiment, per author, the
    terms). 3. Page through its items, newest first. An htmx request gets the results only."""
    access = _access(request, slug)
    filters = _filters(access, topic, request.GET)
    selection = filters.selection
    days = stats.volume(selection)
    shares = stats.sentiment_share(selection)
    terms, read = stats.top_terms(selection)
    items = selection.items().select_related("corrected_by").order_by("-created_at", "-pk")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    back = request.get_full_path()
    context = {
        "access": access,
        "slug": slug,
        "f": filters,
        "topic": topic,
        "all_topic": stats.ALL,
        "platforms": PLATFORMS,
        "sentiments": stats.SENTIMENTS,
        "intents": [(i, _name(i)) for i in actions.INTENTS],
        "chart": charts.volume_chart(days),
        "days": days,
        "shares": shares,
        "share_bar": charts.share_bar(shares),
        "share_width": charts.SHARE_WIDTH,
        "authors": stats.top_authors(selection),
        "terms": terms,
        "terms_read": read,
        "terms_sample": stats.TERMS_SAMPLE,
        "page": page,
        "cards": [card(item) for item in page.object_list],
        "may_label": access.may("heard.label"),
        "back": back,
        "csv_url": reverse("listening-csv", args=[slug]) + "?" + filters.query_string(topic=topic),
        "page_url": request.path,
        "csv_rows": CSV_ROWS,
    }
    template = "engagement/_results.html" if request.headers.get("HX-Request") else "engagement/listening.html"
    return render(request, template, context)


@login_required
@require_GET
def listening_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's items (all of them, not one page; the newest CSV_ROWS) as CSV, for the same
    filters. Read in chunks; written whole, so that a failure is an error and not half a file."""
    access = _access(request, slug)
    topic = request.GET.get("topic", "").strip()[:64]
    filters = _filters(access, topic, request.GET)
    items = filters.selection.items().select_related("corrected_by").order_by("-created_at", "-pk")[:CSV_ROWS]
    text = "".join(csvexport.rows(items.iterator(chunk_size=2000), filters.selection.tz))
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = "-".join(filter(None, [slug, "listening", topic, filters.values["since"], filters.values["until"]]))
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_POST
def correct(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """A person's labels for one item, from its buttons: a sentiment, or one intent turned on
    or off. htmx gets the item again; a plain form goes back to the page it came from."""
    access = _access(request, slug, "heard.label")
    item = HeardItem.objects.filter(workspace=access.workspace, pk=item_id).select_related("corrected_by").first()
    if item is None:
        raise Http404("no such item")
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    back = back or reverse("listening-topic", args=[slug, stats.ALL])
    sentiment = request.POST.get("sentiment") or None
    toggle = request.POST.get("toggle", "")
    intents = None
    if toggle:
        shown = item.shown_intents
        intents = [i for i in shown if i != toggle] if toggle in shown else [*shown, toggle]
    error, status = "", 200
    try:
        actions.correct_labels(item=item, actor=access.user, sentiment=sentiment, intents=intents)
    except ActionError as exc:
        error, status = exc.message, exc.status
        item.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(request, "engagement/_item.html", {**_item_context(access, item, back), "error": error}, status=status)
    if error:
        messages.error(request, error)
    return redirect(f"{back}#heard-{item.pk}")


@login_required
@require_POST
def try_query(request: HttpRequest, slug: str) -> HttpResponse:
    """The query form's "try it": whether the query being written matches a sample text, or
    where it is wrong. Nothing is stored; the plan is changed only by saving the form."""
    access = workspace_access(request.user, slug, "plan.view")  # type: ignore[arg-type]
    try:
        trial: actions.Trial | None = actions.try_query(
            query=request.POST.get("query", ""), text=request.POST.get("text", ""), language=request.POST.get("language") or None
        )
        problem = ""
    except ActionError as exc:
        trial, problem = None, exc.message
    context = {"access": access, "trial": trial, "problem": problem, "query": request.POST.get("query", "")}
    template = "engagement/_trial.html" if request.headers.get("HX-Request") else "engagement/trial.html"
    return render(request, template, context, status=422 if problem else 200)
