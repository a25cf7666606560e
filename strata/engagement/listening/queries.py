"""The plan's listening queries, compiled: one Matcher per workspace and plan revision (for what
a workspace's own sources read), and one for every workspace at once (for the streams read for
the whole installation), whose query ids are "<workspace id>:<query id>"."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import Max

from strata.accounts.models import Workspace
from strata.engagement.listening.matcher import Matcher, QuerySpec
from strata.engagement.models import HeardItem
from strata.strategy import store
from strata.strategy.models import PlanRevision
from strata.strategy.plan import query as q

_lock = threading.Lock()
_by_workspace: OrderedDict[tuple[int, int], Matcher] = OrderedDict()
_KEEP = 256
_everyone: tuple[frozenset[tuple[int, int]], Matcher] | None = None


def specs(workspace: Workspace) -> tuple[int, list[QuerySpec]]:
    """The plan revision and the listening queries of the workspace's current plan."""
    current = store.current_plan(workspace)
    return current.revision, [QuerySpec(query.id, query.query, query.language) for query in current.plan.listening]


def workspace_matcher(workspace: Workspace) -> Matcher:
    """The workspace's queries, compiled once per plan revision."""
    revision, queries = specs(workspace)
    key = (workspace.pk, revision)
    with _lock:
        matcher = _by_workspace.get(key)
        if matcher is not None:
            _by_workspace.move_to_end(key)
            return matcher
    matcher = Matcher(queries)
    with _lock:
        _by_workspace[key] = matcher
        while len(_by_workspace) > _KEEP:
            _by_workspace.popitem(last=False)
    return matcher


def installation_matcher() -> Matcher:
    """Every workspace's queries in one automaton, compiled again only when a plan changed."""
    global _everyone
    revisions = frozenset(PlanRevision.objects.values("workspace_id").annotate(latest=Max("number")).values_list("workspace_id", "latest"))
    with _lock:
        if _everyone is not None and _everyone[0] == revisions:
            return _everyone[1]
    everything: list[QuerySpec] = []
    for workspace in Workspace.objects.filter(pk__in=[pk for pk, _ in revisions]).order_by("pk"):
        _, queries = specs(workspace)
        everything += [QuerySpec(f"{workspace.pk}:{s.id}", s.query, s.language) for s in queries]
    matcher = Matcher(everything)
    with _lock:
        _everyone = (revisions, matcher)
    return matcher


def by_workspace(matched: Iterable[str]) -> dict[int, list[str]]:
    """The installation matcher's ids, as the matched query ids of each workspace."""
    out: dict[int, list[str]] = {}
    for both in matched:
        workspace, _, query_id = both.partition(":")
        out.setdefault(int(workspace), []).append(query_id)
    return out


def tag(matcher: Matcher, rows: Iterable[HeardItem]) -> None:
    """Record on each row the queries its text matches."""
    for row in rows:
        row.set_matched(matcher.match(row.text, _languages(row.language)) if row.text else [])


def hashtags(workspace: Workspace) -> list[str]:
    """The hashtags the workspace's queries look for (outside NOT), without '#', in order: the
    timelines worth reading on an instance."""
    _, queries = specs(workspace)
    found: dict[str, None] = {}
    for spec in queries:
        for term in q.positive_terms(q.parse(spec.query)):
            if term.kind == "hashtag" and not term.prefix and len(term.tokens) == 1:
                found.setdefault(term.tokens[0], None)
    return list(found)


def _languages(language: str) -> list[str] | None:
    return [tag for tag in language.split(",") if tag] or None
