"""Every write about short links but the clicks themselves (clicks.py, the redirect's hot path):
making a variant's links, the workspace's setting, and forgetting past days' visitors."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction

from strata.accounts.models import User, Workspace
from strata.analytics.links import targets
from strata.analytics.links.codes import new_code
from strata.analytics.links.models import DailySalt, DailyVisitor, LinkSettings, ShortLink
from strata.safeurl import problem

# A fresh code that is already taken (about one in 10^14 per link made) is drawn again; this
# many clashes in a row would mean something else is wrong.
DRAWS = 5


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def link_for(
    *,
    workspace_id: int,
    variant_id: int,
    post_id: int,
    platform: str,
    channel_id: str,
    objective_id: str,
    pillar_id: str,
    url: str,
) -> ShortLink:
    """The variant's short link for `url`: the one made by an earlier attempt, or a new one.
    Committed before it returns (delivery runs outside any transaction), so that the platform
    is only ever given a code that is on disk."""
    wrong = problem(url)
    if wrong:
        raise ValueError(f"a short link needs an http(s) address; this one {wrong}")
    digest = url_hash(url)
    found = ShortLink.objects.filter(variant_id=variant_id, url_hash=digest).first()
    if found is not None:
        return found
    target = targets.with_utm(url, source=platform, campaign=objective_id or pillar_id, content=str(post_id))
    for _ in range(DRAWS):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    workspace_id=workspace_id,
                    code=new_code(),
                    variant_id=variant_id,
                    post_id=post_id,
                    platform=platform,
                    channel_id=channel_id,
                    objective_id=objective_id,
                    pillar_id=pillar_id,
                    url=url,
                    url_hash=digest,
                    target=target,
                )
        except IntegrityError:
            # Either the code was taken (draw again) or this variant's link was made meanwhile.
            found = ShortLink.objects.filter(variant_id=variant_id, url_hash=digest).first()
            if found is not None:
                return found
    raise RuntimeError(f"no free short link code after {DRAWS} draws")


def made_for(variant_id: int) -> bool:
    return ShortLink.objects.filter(variant_id=variant_id).exists()


def shortening_on(workspace_id: int) -> bool:
    """Settings › Links; on until an owner turns it off."""
    shorten = LinkSettings.objects.filter(workspace_id=workspace_id).values_list("shorten", flat=True).first()
    return True if shorten is None else shorten


def settings_for(workspace: Workspace) -> LinkSettings:
    found, _ = LinkSettings.objects.get_or_create(workspace=workspace)
    return found


def set_shortening(*, workspace: Workspace, actor: User | None, shorten: bool) -> LinkSettings:
    """Turn short links on or off for posts that go out from now on; links already published
    keep working either way."""
    found = settings_for(workspace)
    found.shorten = shorten
    found.save(update_fields=["shorten"])
    return found


def forget_before(day: dt.date) -> tuple[int, int]:
    """Delete the salts and visitor hashes of days before `day`: their counts are final, and
    without its salt a day's hashes can never be made again from an address. Returns how many
    salts and hashes went."""
    salts, _ = DailySalt.objects.filter(day__lt=day).delete()
    visitors, _ = DailyVisitor.objects.filter(day__lt=day).delete()
    return salts, visitors
