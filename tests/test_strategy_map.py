"""The strategy map's nodes: labels wrapped inside their box, never cut without saying so, and a
link name that starts with what the node shows (screen readers and voice control use it)."""

from __future__ import annotations

from strata.strategy.strategy_map import LINE_CHARS, MAX_LINES, Node


def node(label: str) -> Node:
    return Node("goal:grow", label, 20, 44, "/w/acme/plan/goals/grow/")


def test_a_label_wraps_between_words_inside_the_box() -> None:
    lines = node("Commuters in Berlin and Paris know Acme").lines
    assert lines == ["Commuters in Berlin", "and Paris know Acme"]
    assert all(len(line) <= LINE_CHARS for line in lines)
    assert node("Commuters in Berlin and Paris know Acme").placed_lines == [(62, "Commuters in Berlin"), (77, "and Paris know Acme")]


def test_a_label_too_long_for_the_box_ends_with_an_ellipsis_and_the_name_keeps_it_whole() -> None:
    label = "Publish a library of short repair answers that riders can find before they call us"
    shown = node(label)
    assert len(shown.lines) == MAX_LINES
    assert shown.lines[-1].endswith("…")
    assert shown.aria == f"{' '.join(shown.lines)} goal:grow ({label}): no problems"


def test_a_word_longer_than_a_line_is_broken_where_it_must_be() -> None:
    lines = node("see " + "x" * (LINE_CHARS + 8)).lines
    assert lines == ["see", "x" * LINE_CHARS, "x" * 8]


def test_a_short_label_is_named_once() -> None:
    assert node("Grow EU revenue").aria == "Grow EU revenue goal:grow: no problems"
