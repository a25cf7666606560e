"""The Atom feed of a channel on the 'rss' platform: its published variants, newest first."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from strata.accounts.models import Workspace
from strata.publishing.models import ChannelAccount, Variant

ENTRIES = 50


def channel_feed(request: HttpRequest, slug: str, channel_id: str) -> HttpResponse:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None or not ChannelAccount.objects.filter(workspace=workspace, channel_id=channel_id, platform="rss").exists():
        raise Http404("no such feed")
    url = request.build_absolute_uri(reverse("channel-feed", args=[slug, channel_id]))
    feed = Atom1Feed(title=f"{workspace.name}: {channel_id}", link=url, description="", feed_url=url, language="en")
    variants = (
        Variant.objects.filter(post__workspace=workspace, channel_id=channel_id, state=Variant.State.PUBLISHED)
        .select_related("post")
        .order_by("-published_at")[:ENTRIES]
    )
    for variant in variants:
        text = "\n\n".join(variant.parts)
        feed.add_item(
            title=variant.post.title or variant.text.splitlines()[0][:100],
            link=variant.link or url,
            description=text,
            unique_id=variant.remote_id,
            pubdate=variant.published_at,
            updateddate=variant.published_at,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
