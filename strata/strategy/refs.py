"""Where a finding's ref is fixed. The plan's own refs resolve here; another app whose checks
name refs of its own ("post:12") registers a resolver beside its checks, so that strategy never
imports it:

    @ref_resolver("post")
    def post_url(slug: str, ident: str) -> str | None: ...

A resolver answers None for an ident it cannot place; the ref then leads to the review. A check
whose findings are fixed elsewhere than at their ref (promotion above the mix is fixed on the
calendar, not in the channel's plan entry) registers `@fixed_at(code)`, given the whole ref."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from strata.strategy.elements import KIND_BY_REF, KINDS
from strata.strategy.review.registry import Finding

Resolver = Callable[[str, str], str | None]  # (workspace slug, ident) → address, or None

RESOLVERS: dict[str, Resolver] = {}
FIXED_AT: dict[str, Resolver] = {}  # check code → (slug, ref) → address

# Plan-wide refs → the section page where they are fixed (views_sections.SECTIONS).
SECTION_OF_REF = {"governance": "governance", "content.mix": "mix", "measurement": "measurement"}


def ref_resolver(kind: str) -> Callable[[Resolver], Resolver]:
    def register(func: Resolver) -> Resolver:
        if kind in KIND_BY_REF or (kind in RESOLVERS and RESOLVERS[kind] is not func):
            raise ValueError(f"two resolvers for refs of kind {kind!r}")
        RESOLVERS[kind] = func
        return func

    return register


def fixed_at(code: str) -> Callable[[Resolver], Resolver]:
    def register(func: Resolver) -> Resolver:
        if code in FIXED_AT and FIXED_AT[code] is not func:
            raise ValueError(f"two places to fix the findings of {code!r}")
        FIXED_AT[code] = func
        return func

    return register


def finding_url(slug: str, finding: Finding) -> str:
    """Where `finding` is fixed: its check's own place when it has one, else its ref's."""
    resolver = FIXED_AT.get(finding.code)
    return (resolver(slug, finding.ref) if resolver else None) or ref_url(slug, finding.ref)


def ref_url(slug: str, ref: str) -> str:
    """1. `kind:id` of a plan element → its editor; of another app's kind → that app's resolver;
    2. a plan-wide ref (governance, content.mix, measurement) → its section page;
    3. a list's ref ("channels", "content") → the list;
    4. anything else → the review."""
    kind, _, ident = ref.partition(":")
    if ident and kind in KIND_BY_REF:
        return reverse("element-edit", args=[slug, KIND_BY_REF[kind].name, ident])
    if ident and kind in RESOLVERS and (url := RESOLVERS[kind](slug, ident)):
        return url
    if ref in SECTION_OF_REF:
        return reverse("plan-section", args=[slug, SECTION_OF_REF[ref]])
    listing = next((k for k in KINDS.values() if k.section == ref), None)
    if listing is not None:
        return reverse("element-list", args=[slug, listing.name])
    return reverse("plan-review", args=[slug])


def section_refs(section: str) -> set[str]:
    """The plan-wide refs whose findings are fixed on a section page ("mix" → {"content.mix"})."""
    return {ref for ref, name in SECTION_OF_REF.items() if name == section}
