"""Short links in what goes out: registered into publishing's link_hooks by AnalyticsConfig.ready().

Every http(s) address of a variant's texts and its link field becomes a short link, made (or,
on a retry, found again) before the platform is called; the same address twice in a variant
is one short link. Left as they are:
- answers in a conversation (a reply names no objective, and a person asked: they get the
  address itself, not a redirect through us);
- the newsletter: mail scanners (Safe Links, Proofpoint, Gmail's) follow every link of every
  message with browser-like user agents, so the counts would be theirs; mail is not a social
  medium (utm_medium=social would be wrong); and a redirect domain in a mail counts against it
  with spam filters;
- the Atom feed: Strata serves it from the stored post (publishing/feeds.py), not from what
  delivery sends, so a short link made here would appear nowhere;
- workspaces that turned short links off (Settings › Links), and installations whose links
  domain nobody outside can reach (domain.reachable);
- addresses that already are short links of this installation.

Length: a short link (base + /l/ + 8 characters) is shorter than most addresses it replaces;
Mastodon counts every link as 23 characters whatever it is, so nothing changes there. Where a
short link would make a text too long for its platform (a short address in a post written to
the limit), the variant goes out as written (`_fits`). Bluesky's facets are computed by the
adapter from the text it is given, so they point at the short link."""

from __future__ import annotations

from strata.analytics.links import actions, domain, targets
from strata.platforms.base import Part
from strata.platforms.registry import adapter_for
from strata.publishing.link_hooks import Message
from strata.publishing.models import Post
from strata.safeurl import problem

NOT_SHORTENED = frozenset({"newsletter", "rss"})


def shorten(message: Message) -> Message:
    variant = message.variant
    if variant.platform in NOT_SHORTENED or variant.reply_to:
        return message
    found = [url for text in message.texts for url in targets.addresses(text)]
    if message.link and problem(message.link) is None:
        found.append(message.link)
    own = domain.base() + domain.PATH
    urls = targets.unique(url for url in found if not url.startswith(own))
    # Most posts carry no address: they cost no query.
    if not urls or not domain.reachable():
        return message
    # A retry uses the links an earlier attempt made, even if short links were turned off
    # since: what a look-up on the platform finds must be what this attempt would send.
    if not actions.shortening_on(variant.workspace_id) and not actions.made_for(variant.pk):
        return message
    objective_id, pillar_id = Post.objects.filter(pk=variant.post_id).values_list("objective_id", "pillar_id").get()
    short = {
        url: domain.short_url(
            actions.link_for(
                workspace_id=variant.workspace_id,
                variant_id=variant.pk,
                post_id=variant.post_id,
                platform=variant.platform,
                channel_id=variant.channel_id,
                objective_id=objective_id,
                pillar_id=pillar_id,
                url=url,
            ).code
        )
        for url in urls
    }
    texts = tuple(targets.replace(text, short.get) for text in message.texts)
    shortened = message.changed(texts=texts, link=short.get(message.link, message.link))
    return shortened if _fits(variant.platform, message, shortened) else message


def _fits(platform: str, before: Message, after: Message) -> bool:
    """Whether the platform takes the shortened texts as it took the written ones. A short link
    can be longer than a short address (https://a.co/), and a Bluesky post written to its last
    grapheme would then be refused: such a variant goes out as written, uncounted."""
    adapter = adapter_for(platform)
    if adapter is None:
        return True
    limits = adapter.limits(None)

    def errors(message: Message) -> int:
        parts = tuple(Part(text=text, link=message.link if index == 0 else "") for index, text in enumerate(message.texts))
        return sum(found.severity == "error" for found in adapter.check(parts, limits))

    return errors(after) <= errors(before)
