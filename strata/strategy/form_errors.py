"""The summary above a form that failed to save: every problem once, in the form's order, each
linked to the field it is about (the page's script moves focus to the summary)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    text: str
    target: str = ""  # the id of the field to go to; empty for a problem of the whole form


def summary(
    errors: dict[str, list[str]],
    general: list[str],
    *,
    label: Callable[[str], str],
    order: list[str],
    target: Callable[[str], str] = lambda name: f"f-{name}",
) -> list[Problem]:
    """1. the problems of the whole form, as they are; 2. each field's, "Label: message", sorted
    by where the field is on the form (`order` lists the top-level names)."""

    def position(name: str) -> tuple[int, str]:
        top = name.split(".")[0]
        return (order.index(top) if top in order else len(order), name)

    problems = [Problem(text) for text in general]
    for name in sorted((n for n, messages in errors.items() if messages), key=position):
        if name == "_":
            problems.extend(Problem(text) for text in errors[name])
            continue
        problems.extend(Problem(f"{label(name)}: {message}", target(name)) for message in errors[name])
    return problems
