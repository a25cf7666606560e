"""An e-mail newsletter over SMTP. The channel's service is an smtp:// (or smtps://) address
with the list's address: smtp://user@mail.example:587/?starttls=1&to=list@example.com.

E-mail cannot be looked up after sending, so an unknown outcome (the connection dropped after
the message was handed over) is for a person to confirm, never retried blindly. The Message-ID
is made from the variant's key, so that a mailing list can recognise a repeat."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from strata.platforms.base import (
    AddressInvalid,
    Credentials,
    CredentialsRefused,
    Limits,
    OutcomeUnknown,
    Outgoing,
    Part,
    PermanentError,
    Problem,
    Published,
    TransientError,
    Unreachable,
    cannot_answer,
    excerpt,
)
from strata.platforms.failures import check_address, connection_failure

TIMEOUT = 30
# A mail to the list answers nobody's message: it would reach every subscriber as a new one.
NO_REPLIES = cannot_answer("e-mail newsletters")


def _parse(service: str) -> tuple[str, str, int, str, bool, list[str]]:
    try:
        url = urlsplit(service)
        given_port = url.port  # ValueError for a port over 65535 or not a number
    except ValueError:
        raise AddressInvalid(f"{excerpt(service)!r} is not a usable smtp:// address: check the host and the port (1 to 65535)") from None
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise AddressInvalid(f"{excerpt(service)!r} is not an smtp:// or smtps:// address")
    check_address(service)
    query = parse_qs(url.query)
    to = [a for value in query.get("to", []) for a in value.split(",") if a]
    if not to:
        raise PermanentError("say who receives the newsletter: add ?to=list@example.com to the address")
    port = given_port or (465 if url.scheme == "smtps" else 587)
    return url.scheme, url.hostname, port, unquote(url.username or ""), query.get("starttls", ["0"])[0] in ("1", "true", "yes"), to


class NewsletterAdapter:
    name = "newsletter"
    idempotent = False
    needs_secret = False  # some relays take mail without a login
    reaches_out = True

    def limits(self, credentials: Credentials | None) -> Limits:
        return Limits(max_length=200_000, max_media=0)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        problems = [Problem("error", NO_REPLIES)] if reply_to else []
        if len(parts) > 1:
            problems.append(Problem("error", "a newsletter is one message, not a thread"))
        if not parts or not parts[0].text.strip():
            problems.append(Problem("error", "the newsletter has no text"))
        return problems

    def _connect(self, credentials: Credentials) -> tuple[smtplib.SMTP, list[str]]:
        scheme, host, port, user, starttls, to = _parse(credentials.service)
        try:
            server = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT) if scheme == "smtps" else smtplib.SMTP(host, port, timeout=TIMEOUT)
            if starttls:
                server.starttls(context=ssl.create_default_context())
            if user or credentials.secret:
                server.login(user or credentials.handle, credentials.secret)
        except smtplib.SMTPAuthenticationError:
            raise CredentialsRefused("the mail server refused the login; connect the channel again") from None
        except smtplib.SMTPNotSupportedError:
            raise PermanentError("the mail server does not offer STARTTLS: use smtps:// or leave starttls out") from None
        except smtplib.SMTPResponseException as exc:  # it answered, and said no
            raise TransientError(f"the mail server {host}:{port} answered {exc.smtp_code}: {excerpt(exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            failure = connection_failure(exc, f"smtp://{host}:{port}")
            raise failure or Unreachable(f"the mail server {host}:{port} could not be reached") from None
        return server, to

    def verify(self, credentials: Credentials) -> str:
        server, to = self._connect(credentials)
        server.quit()
        return ", ".join(to)

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        if outgoing.reply_to:
            raise PermanentError(NO_REPLIES)
        part = outgoing.parts[0]
        message = EmailMessage()
        message["From"] = credentials.handle
        server, to = self._connect(credentials)
        message["To"] = ", ".join(to)
        message["Subject"] = outgoing.title or part.text.splitlines()[0][:120]
        domain = credentials.handle.rpartition("@")[2] or "strata.localhost"
        message["Message-ID"] = f"<{outgoing.keys[0]}@{domain}>"
        message.set_content(part.text + (f"\n\n{part.link}\n" if part.link and part.link not in part.text else "\n"))
        try:
            refused = server.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"the mail server refused every recipient: {excerpt(', '.join(exc.recipients))}") from None
        except (smtplib.SMTPServerDisconnected, TimeoutError) as exc:
            raise OutcomeUnknown(f"the mail server went away while sending: {exc}") from None
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"the mail server said {exc.smtp_code}: try later") from None
            raise PermanentError(f"the mail server refused the message ({exc.smtp_code})") from None
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                server.quit()
        if refused:
            raise PermanentError(f"the mail server refused: {', '.join(refused)}")
        return Published(remote_id=message["Message-ID"], remote_ids=(message["Message-ID"],))

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        return None  # sent mail cannot be looked up
