"""Other apps' settings on the workspace's settings page (Settings, for owners), so that every
setting a message mentions has one page to be changed on. An app registers a part from its
AppConfig.ready(); strategy never imports it:

    @settings_part("publishing", "Publishing", "publishing/_settings.html")
    def publishing(access: Access) -> dict[str, Any]: ...  # the template's context

A message names a part as "Settings › Publishing"; `link_settings` turns that into a link for
those who may change it. The others read the words, which say who can ("have an owner …")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from strata.accounts.scoping import Access

PERMISSION = "workspace.manage"  # the settings page's; every part shares it

Context = Callable[[Access], dict[str, Any]]


@dataclass(frozen=True)
class SettingsPart:
    key: str  # its anchor on the page: /w/<slug>/settings/workspace/#<key>
    title: str
    template: str
    context: Context


PARTS: dict[str, SettingsPart] = {}


def settings_part(key: str, title: str, template: str) -> Callable[[Context], Context]:
    def register(func: Context) -> Context:
        if key in PARTS and PARTS[key].context is not func:
            raise ValueError(f"two settings parts share the key {key!r}")
        PARTS[key] = SettingsPart(key, title, template, func)
        return func

    return register


def settings_url(slug: str, key: str) -> str:
    return reverse("plan-section", args=[slug, "workspace"]) + f"#{key}"


def render_parts(access: Access, request: HttpRequest) -> list[SafeString]:
    return [
        mark_safe(render_to_string(part.template, {**part.context(access), "access": access, "part": part}, request=request))
        for part in PARTS.values()
    ]


def link_settings(text: str, access: Access) -> str:
    """`text` with every "Settings › <part>" it mentions as a link, for someone who may change
    the part; unchanged for anyone else."""
    if not access.may(PERMISSION) or not any(f"Settings › {p.title}" in text for p in PARTS.values()):
        return text
    html: str = escape(text)
    for part in PARTS.values():
        mention = f"Settings › {part.title}"
        html = html.replace(mention, format_html('<a href="{}">{}</a>', settings_url(access.workspace.slug, part.key), mention))
    return mark_safe(html)  # escaped above; the links are built by format_html
