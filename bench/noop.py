"""A no-op platform for the delivery benchmarks: it publishes nothing, but counts every publish
by its idempotency key, so that a run can prove each variant went out exactly once."""

from __future__ import annotations

from collections import Counter

from strata.platforms.base import Credentials, Limits, Outgoing, Part, Problem, Published

published: Counter[str] = Counter()


class NoopAdapter:
    name = "other"
    idempotent = True
    needs_secret = False
    reaches_out = False  # nothing leaves the machine: there is no server address to check

    def limits(self, credentials: Credentials | None) -> Limits:
        return Limits(max_length=10_000)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        return []

    def verify(self, credentials: Credentials) -> str:
        return "noop"

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        published[outgoing.keys[0]] += 1
        return Published(remote_id=outgoing.keys[0])

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        return None
