"""The Atom feed of a channel on the 'rss' platform: its published variants, newest first."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from strata.accounts.models import Workspace
from strata.publishing.models import ChannelAccount, Variant
from strata.safeurl import WEB, is_safe
from strata.xmltext import xml_text

ENTRIES = 50


def channel_feed(request: HttpRequest, slug: str, channel_id: str) -> HttpResponse:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None or not ChannelAccount.objects.filter(workspace=workspace, channel_id=channel_id, platform="rss").exists():
        raise Http404("no such feed")
    url = request.build_absolute_uri(reverse("channel-feed", args=[slug, channel_id]))
    feed = Atom1Feed(title=xml_text(f"{workspace.name}: {channel_id}"), link=url, description="", feed_url=url, language="en")
    variants = (
        Variant.objects.filter(post__workspace=workspace, channel_id=channel_id, state=Variant.State.PUBLISHED)
        .select_related("post")
        .order_by("-published_at")[:ENTRIES]
    )
    for variant in variants:
        # Text only: one character XML cannot carry would fail the feed for every reader.
        text = xml_text("\n\n".join(variant.parts))
        feed.add_item(
            title=xml_text(variant.post.title or next(iter(variant.text.splitlines()), "")[:100]),
            link=variant.link if is_safe(variant.link, schemes=WEB) else url,  # never a script link, even one stored long ago
            description=text,
            unique_id=xml_text(variant.remote_id),
            pubdate=variant.published_at,
            updateddate=variant.published_at,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
