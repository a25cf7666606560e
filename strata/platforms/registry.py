"""The platforms Strata publishes to and reads from. Adding one is a package here and a line below."""

from __future__ import annotations

from collections.abc import Sequence

from strata.platforms import egress
from strata.platforms.base import Adapter, Credentials, Limits, Outgoing, Part, PermanentError, Problem, Published
from strata.platforms.bluesky.adapter import BlueskyAdapter
from strata.platforms.bluesky.metrics import BlueskyMetrics
from strata.platforms.bluesky.reader import BlueskyReader
from strata.platforms.feed.adapter import FeedAdapter
from strata.platforms.mastodon.adapter import MastodonAdapter
from strata.platforms.mastodon.metrics import MastodonMetrics
from strata.platforms.mastodon.reader import MastodonReader
from strata.platforms.metrics import MetricsReader, PostsRead
from strata.platforms.newsletter.adapter import NewsletterAdapter
from strata.platforms.reading import Heard, Incoming, Reader
from strata.platforms.webhook.adapter import WebhookAdapter


class Guarded:
    """An adapter whose every call that may reach the network runs inside egress.guard(), so
    that no path (delivery, connect, limits, lookup, a new adapter) can forget the check."""

    def __init__(self, inner: Adapter) -> None:
        self.inner = inner
        self.name, self.idempotent, self.needs_secret, self.reaches_out = (
            inner.name,
            inner.idempotent,
            inner.needs_secret,
            inner.reaches_out,
        )

    def limits(self, credentials: Credentials | None) -> Limits:
        with egress.guard():
            return self.inner.limits(credentials)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        return self.inner.check(parts, limits, reply_to)

    def verify(self, credentials: Credentials) -> str:
        with egress.guard():
            return self.inner.verify(credentials)

    @property
    def direct_messages(self) -> bool:
        return bool(getattr(self.inner, "direct_messages", False))

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        if outgoing.direct and not self.direct_messages:
            # Never in public what was meant to be private.
            raise PermanentError(f"{self.name} has no direct messages Strata can send; answer in public or offer the support e-mail")
        with egress.guard():
            return self.inner.publish(credentials, outgoing)

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        with egress.guard():
            return self.inner.lookup(credentials, outgoing)

    def react(self, credentials: Credentials, target: str, kind: str, key: str) -> str:
        """Like or repost `target` where the platform can (an adapter with a `react`)."""
        react = getattr(self.inner, "react", None)
        if react is None:
            raise PermanentError(f"{self.name} has no likes or reposts")
        with egress.guard():
            return str(react(credentials, target, kind, key))


ADAPTERS: dict[str, Guarded] = {
    adapter.name: Guarded(adapter)
    for adapter in (BlueskyAdapter(), MastodonAdapter(), FeedAdapter(), NewsletterAdapter(), WebhookAdapter())
}


def adapter_for(platform: str) -> Guarded | None:
    return ADAPTERS.get(platform)


class GuardedReader:
    """A reader whose every call runs inside egress.guard(), like the adapters'."""

    def __init__(self, inner: Reader) -> None:
        self.inner = inner
        self.name = inner.name

    def notifications(self, credentials: Credentials, cursor: str) -> Heard:
        with egress.guard():
            return self.inner.notifications(credentials, cursor)

    def thread(self, credentials: Credentials, remote_id: str) -> tuple[Incoming, ...]:
        with egress.guard():
            return self.inner.thread(credentials, remote_id)

    def conversation(self, credentials: Credentials, root_id: str) -> tuple[Incoming, ...]:
        with egress.guard():
            return self.inner.conversation(credentials, root_id)


READERS: dict[str, Reader] = {reader.name: GuardedReader(reader) for reader in (BlueskyReader(), MastodonReader())}


def reader_for(platform: str) -> Reader | None:
    return READERS.get(platform)


class GuardedMetrics:
    """A metrics reader whose every call runs inside egress.guard(), like the adapters'."""

    def __init__(self, inner: MetricsReader) -> None:
        self.inner = inner
        self.name, self.per_call = inner.name, inner.per_call

    def followers(self, credentials: Credentials, account: str) -> int:
        with egress.guard():
            return self.inner.followers(credentials, account)

    def posts(self, credentials: Credentials, remote_ids: Sequence[str]) -> PostsRead:
        with egress.guard():
            return self.inner.posts(credentials, remote_ids)


METRICS_READERS: dict[str, MetricsReader] = {reader.name: GuardedMetrics(reader) for reader in (BlueskyMetrics(), MastodonMetrics())}


def metrics_reader_for(platform: str) -> MetricsReader | None:
    return METRICS_READERS.get(platform)
