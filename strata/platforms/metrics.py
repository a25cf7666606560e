"""What a platform says about reach and engagement: how many follow an account, and how often
each of its posts was liked, reposted (boosted), replied to and quoted.

A metrics reader sits beside the adapter and the notifications reader, in the platform's own
package (`<platform>/metrics.py`), listed in registry.METRICS_READERS, whose wrapper runs every
call inside egress.guard(). It knows nothing of workspaces, schedules or storage: it is given
credentials and the platform's ids and returns numbers.

Every number is hostile until checked (`count()`): whatever answers at a platform's address may
send a negative count, 10^15, a string or a float, and such a number must never become a point
on a chart. A post whose numbers are not believable is refused on its own (`PostsRead.refused`);
the other posts of the same answer keep their readings. A follower count that is not believable
raises `Implausible`.

Errors are the publishing ones (base.py): RateLimited (no call for this account until the
limit lifts), TransientError (try again soon), PermanentError (try again at the next scheduled
read; nothing here stops a channel, that is for publishing and notifications to decide).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from strata.platforms.base import Credentials, PermanentError

# More than any account or post has ever had: a larger number is a broken or hostile answer.
MAX_COUNT = 10**12


class Implausible(PermanentError):
    """The platform answered, with a number that cannot be true."""


def count(value: object) -> int | None:
    """`value` when it is a believable count: an int from 0 to MAX_COUNT. JSON's true and false
    are ints to Python, and 3.0 or "3" are not what the platform documents: all refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


@dataclass(frozen=True)
class PostCounts:
    likes: int  # likes on Bluesky, favourites on Mastodon
    reposts: int  # reposts on Bluesky, boosts (reblogs) on Mastodon
    replies: int
    quotes: int | None  # None where the platform does not count quotes: unknown is not 0


@dataclass(frozen=True)
class PostsRead:
    counts: dict[str, PostCounts] = field(default_factory=dict)  # by the platform's id of the post
    refused: dict[str, str] = field(default_factory=dict)  # ids whose answer was not believable, and why
    # An id asked for that is in neither was not shown: deleted, hidden, or not indexed yet.


def post_counts(likes: object, reposts: object, replies: object, quotes: object = None, *, quotes_given: bool = True) -> PostCounts | str:
    """The counts of one post, or why they are refused. `quotes_given` False: the platform's
    answer has no quote count at all (an older server), which is unknown rather than wrong."""
    numbers = {"likes": count(likes), "reposts": count(reposts), "replies": count(replies)}
    quoted = count(quotes) if quotes_given else None
    wrong = [name for name, value in numbers.items() if value is None] + (["quotes"] if quotes_given and quoted is None else [])
    n_likes, n_reposts, n_replies = numbers["likes"], numbers["reposts"], numbers["replies"]
    if wrong or n_likes is None or n_reposts is None or n_replies is None:
        return f"the platform answered counts that cannot be true ({', '.join(wrong)}); not stored"
    return PostCounts(likes=n_likes, reposts=n_reposts, replies=n_replies, quotes=quoted)


class MetricsReader(Protocol):
    name: str
    per_call: int  # how many posts one call reads

    def followers(self, credentials: Credentials, account: str) -> int:
        """How many follow the account: `account` is the platform's id of it (a DID, an account
        id), or empty for the one the credentials sign in as."""
        ...

    def posts(self, credentials: Credentials, remote_ids: Sequence[str]) -> PostsRead:
        """The counts of at most `per_call` posts, by the platform's ids (Variant.remote_id)."""
        ...
