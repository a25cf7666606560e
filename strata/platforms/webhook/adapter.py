"""An outgoing webhook: each variant is POSTed as JSON to the channel's URL, signed with
HMAC-SHA256 of the body under the channel's secret (header X-Strata-Signature: sha256=…), with
the variant's key as Idempotency-Key so that the receiver can drop a repeat."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from strata.platforms.base import (
    AddressInvalid,
    Credentials,
    Limits,
    OutcomeUnknown,
    Outgoing,
    Part,
    PermanentError,
    Problem,
    Published,
    RateLimited,
    TransientError,
    Unreachable,
    cannot_answer,
    excerpt,
    retry_after_header,
)
from strata.platforms.failures import check_address, connection_failure, no_answer

TIMEOUT = 15.0
# The receiver's format has no conversation in it: an answer would arrive as a new post.
NO_REPLIES = cannot_answer("a webhook")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookAdapter:
    name = "webhook"
    idempotent = True  # the receiver is told the key; a receiver that ignores it may see a repeat
    needs_secret = True
    reaches_out = True

    def limits(self, credentials: Credentials | None) -> Limits:
        return Limits(max_length=100_000, max_media=0)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        problems = [Problem("error", NO_REPLIES)] if reply_to else []
        return problems + [Problem("error", "nothing to send", i) for i, p in enumerate(parts) if not p.text.strip()]

    def verify(self, credentials: Credentials) -> str:
        if not credentials.service.startswith(("http://", "https://")):
            raise AddressInvalid(f"{excerpt(credentials.service, 80)!r} is not an http(s) address")
        check_address(credentials.service)
        return credentials.service

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        if outgoing.reply_to:
            raise PermanentError(NO_REPLIES)
        self.verify(credentials)
        body = json.dumps(
            {
                "id": outgoing.keys[0],
                "title": outgoing.title,
                "parts": [{"text": p.text, "link": p.link} for p in outgoing.parts],
            }
        ).encode()
        headers = {
            "content-type": "application/json",
            "idempotency-key": outgoing.keys[0],
            "x-strata-signature": sign(credentials.secret, body),
        }
        try:
            response = httpx.post(credentials.service, content=body, headers=headers, timeout=TIMEOUT)
        except httpx.InvalidURL:
            raise AddressInvalid(f"{excerpt(credentials.service)!r} is not a usable address; connect the channel again") from None
        except httpx.ConnectError as exc:  # nothing was sent
            failure = connection_failure(exc, credentials.service)
            raise failure or Unreachable(f"the receiver {excerpt(credentials.service, 80)} could not be reached") from None
        except httpx.HTTPError as exc:
            raise OutcomeUnknown(no_answer(exc, credentials.service)) from None
        if response.status_code == 429:
            raise RateLimited(
                "the receiver asked to slow down (429)", retry_after=retry_after_header(response.headers.get("retry-after", ""))
            )
        # The receiver's body is never repeated: the status code says what happened, and a body
        # echoed into the post's error would let a member read whatever answered.
        if response.status_code >= 500:
            raise TransientError(f"the receiver failed to take the delivery (HTTP {response.status_code}); trying again later")
        if response.status_code in (401, 403):
            raise PermanentError(f"the receiver refused the signature (HTTP {response.status_code}); connect the channel again")
        if response.status_code >= 400:
            raise PermanentError(f"the receiver refused the delivery (HTTP {response.status_code})")
        return Published(remote_id=outgoing.keys[0], url=credentials.service, remote_ids=(outgoing.keys[0],))

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        return None  # sending again with the same Idempotency-Key is the check
