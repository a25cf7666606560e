"""What the listening page counts: which items a selection holds, and their volume per day,
sentiment share, top authors and top terms. Everything but the terms is counted by the database;
the terms are counted here over a bounded sample (the newest items), as the page says."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from strata.accounts.models import Workspace
from strata.engagement.models import HeardItem

ALL = "all"  # the topic of everything heard, matched or not
SENTIMENTS = ("negative", "neutral", "positive")
TERMS_SAMPLE = 1000  # the newest items whose words are counted
TERMS_CHARS = 2000  # of each item's text
MAX_DAYS = 366


@dataclass(frozen=True)
class Selection:
    """The items a person asked for: a topic (a set of the plan's query ids; `None` for every
    item heard), narrowed by platform, sentiment, intent and a range of days in the
    workspace's time zone (both ends included)."""

    workspace: Workspace
    since: dt.date
    until: dt.date
    tz: dt.tzinfo
    query_ids: tuple[str, ...] | None = ()  # () is "any query", None is "everything heard"
    platform: str = ""
    sentiment: str = ""
    intent: str = ""

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.since, dt.time(), tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)

    def items(self) -> QuerySet[HeardItem]:
        items = HeardItem.objects.filter(workspace=self.workspace, created_at__gte=self.start, created_at__lt=self.end)
        if self.query_ids is None:
            # Everything heard: notifications, and thread context only where it matched a query.
            items = items.filter(Q(context=False) | ~Q(matched_key=""))
        elif not self.query_ids:
            items = items.exclude(matched_key="")
        else:
            matched = Q()
            for query_id in self.query_ids:
                matched |= Q(matched_key__contains=f",{query_id},")
            items = items.filter(matched)
        if self.platform:
            items = items.filter(platform=self.platform)
        if self.sentiment:
            items = items.filter(shown_sentiment_key=self.sentiment)
        if self.intent:
            items = items.filter(shown_intents_key__contains=f",{self.intent},")
        return items


@dataclass(frozen=True)
class Day:
    day: dt.date
    count: int


def volume(selection: Selection) -> list[Day]:
    """Items per day of the range, days without any included (one grouped query)."""
    rows = (
        selection.items()
        .annotate(day=TruncDate("created_at", tzinfo=selection.tz))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    counts = dict(rows)
    days = (selection.until - selection.since).days + 1
    return [Day(d, counts.get(d, 0)) for d in (selection.since + dt.timedelta(days=i) for i in range(days))]


@dataclass(frozen=True)
class Share:
    sentiment: str  # one of SENTIMENTS, or "" for items without a label
    count: int
    percent: float


@dataclass
class Shares:
    total: int
    parts: list[Share] = field(default_factory=list)

    @property
    def labelled(self) -> list[Share]:
        return [p for p in self.parts if p.sentiment]


def sentiment_share(selection: Selection) -> Shares:
    """The sentiment as shown (a person's correction wins over the model's label)."""
    counts = dict(selection.items().values("shown_sentiment_key").annotate(n=Count("pk")).values_list("shown_sentiment_key", "n"))
    total = sum(counts.values())
    parts = [Share(s, counts.get(s, 0), 100 * counts.get(s, 0) / total if total else 0.0) for s in SENTIMENTS]
    unlabelled = total - sum(p.count for p in parts)
    if unlabelled:
        parts.append(Share("", unlabelled, 100 * unlabelled / total))
    return Shares(total, parts)


@dataclass(frozen=True)
class Author:
    platform: str
    handle: str
    count: int


def top_authors(selection: Selection, limit: int = 10) -> list[Author]:
    rows = (
        selection.items()
        .values("platform", "author_handle")
        .annotate(n=Count("pk"))
        .order_by("-n", "author_handle", "platform")
        .values_list("platform", "author_handle", "n")[:limit]
    )
    return [Author(platform, handle, n) for platform, handle, n in rows]


# Words too common to say anything, in the languages the plans listen in (en, de, fr, es).
_STOP = """
    a about above after again against all also am an and any are aren't as at be because been before being below between both
    but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each even ever few for from
    further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
    his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most much must mustn't my
    myself need new no nor not now of off on once one only or other ought our ours ourselves out over own really same shan't
    she she'd she'll she's should shouldn't so some still such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those though through to too under until up upon us very via was
    wasn't way we we'd we'll we're we've well were weren't what what's when when's where where's which while who who's whom
    why why's will with won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves amp http https
    www com rt
    aber als am an auch auf aus bei bin bis bist da dann das dass dem den der des die dies diese dir doch du durch ein eine
    einem einen einer eines er es für hab habe hat hatte ich ihr im in ist ja jetzt kann kein keine man mein meine mich mir
    mit nach nicht noch nun nur oder schon sehr sich sie sind so um und uns von vor war wie wir wird zu zum zur über
    au aux avec ce ces cette dans des du elle en est et été il ils je la le les leur lui mais me mes moi mon même ne nos notre
    nous on ou par pas pour qu que qui sa se ses son sont sur ta te tes toi ton tu un une vos votre vous ça très
    al con del el ella es este esta la las lo los mas muy para pero por que se sin su sus una uno
    """
STOP_WORDS = frozenset(_STOP.split())
# Words, hashtags included, of letters and digits with inner apostrophes or hyphens; links and
# @handles are dropped first (the authors are counted on their own).
_WORD = re.compile(r"#?[^\W_](?:[\w'’-]*[^\W_])?")
_DROP = re.compile(r"\bhttps?://\S+|\bwww\.\S+|@[\w.@-]+")


def words(text: str) -> set[str]:
    """The words of one text that count as terms, each once."""
    found = set()
    for word in _WORD.findall(_DROP.sub(" ", text[:TERMS_CHARS].lower().replace("’", "'"))):
        bare = word.lstrip("#")
        if len(bare) < 3 or bare.isdigit() or bare in STOP_WORDS:
            continue
        found.add(word)
    return found


@dataclass(frozen=True)
class Term:
    term: str
    count: int  # items whose text has it


def top_terms(selection: Selection, limit: int = 15) -> tuple[list[Term], int]:
    """The most frequent words of the newest TERMS_SAMPLE texts of the selection, each counted
    once per item, lower-cased, without stop words, links, @handles, numbers and words shorter
    than three letters. Returns the terms and how many texts were read."""
    texts = list(
        selection.items()
        .filter(deleted_at=None)
        .exclude(text="")
        .order_by("-created_at", "-pk")
        .values_list("text", flat=True)[:TERMS_SAMPLE]
    )
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Term(term, n) for term, n in ranked], len(texts)
