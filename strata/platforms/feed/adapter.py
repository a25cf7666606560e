"""An Atom feed that Strata serves itself: publishing adds the entry to the channel's feed.

Nothing leaves the machine, so publishing cannot fail half-way: the entry is the published
variant, listed by the feed view in strata/publishing/feeds.py."""

from __future__ import annotations

from strata.platforms.base import Credentials, Limits, Outgoing, Part, PermanentError, Problem, Published, cannot_answer

MAX_LENGTH = 100_000
NO_REPLIES = cannot_answer("a feed")  # an entry answers nothing: it would appear as a new entry


class FeedAdapter:
    name = "rss"
    idempotent = True
    needs_secret = False
    reaches_out = False

    def limits(self, credentials: Credentials | None) -> Limits:
        return Limits(max_length=MAX_LENGTH, max_media=0)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        problems = [Problem("error", NO_REPLIES)] if reply_to else []
        problems += [Problem("error", "a feed entry needs text", i) for i, p in enumerate(parts) if not p.text.strip()]
        problems += [
            Problem("error", "feed entries carry no images yet; link to the picture instead", i) for i, p in enumerate(parts) if p.media
        ]
        return problems

    def verify(self, credentials: Credentials) -> str:
        return credentials.service  # the feed's address

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        if outgoing.reply_to:
            raise PermanentError(NO_REPLIES)
        return Published(
            remote_id=f"tag:strata,{outgoing.keys[0]}", url=credentials.service, remote_ids=(f"tag:strata,{outgoing.keys[0]}",)
        )

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        return self.publish(credentials, outgoing)
