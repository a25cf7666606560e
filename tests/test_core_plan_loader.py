"""The plan loader's words and positions, error by error: what a person reads when a plan file
is refused, and where the bounds on nesting lie."""

from __future__ import annotations

import gc

import pytest
import yaml

from strata.strategy.plan import yamlnodes
from strata.strategy.plan.bounds import MAX_DEPTH, NO_ALIASES, check_bounds
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import describe_path, load_plan, too_large, validate_plan
from tests.plans import complete_plan_data

HEAD = "strata: 1\nworkspace: {name: A}\n"
TOP_KEYS = "strata, workspace, people, governance, goals, objectives, strategies, audiences, channels, content, response_plan, support, listening, measurement"


def errors_of(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(PlanInvalid) as caught:
        load_plan(data, "p.yaml")
    return [str(e) for e in caught.value.errors]


# References: every kind of id, every place that names one.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "people: [{id: ann, name: Ann}, {id: ann, name: Ann B}]\n",
            "p.yaml:3:37: people[ann].id: duplicate person id 'ann': ids must be unique",
        ),
        (
            "governance: {stakeholders: [{id: s1, name: S, role: r}, {id: s1, name: T, role: r}]}\n",
            "p.yaml:3:62: governance.stakeholders[s1].id: duplicate stakeholder id 's1': ids must be unique",
        ),
        (
            "people: [{id: ann, name: Ann}]\ngovernance: {ringleader: anne}\n",
            "p.yaml:4:26: governance.ringleader: no person with id 'anne'; did you mean 'ann'?",
        ),
        ("governance: {ringleader: bob}\n", "p.yaml:3:26: governance.ringleader: no person with id 'bob'; the plan defines no person yet"),
        (
            "goals: [{id: g, statement: s}]\nobjectives: [{id: o, kind: awareness, statement: s, aligns_with: gg}]\n",
            "p.yaml:4:66: objectives[o].aligns_with: no goal with id 'gg'; did you mean 'g'?",
        ),
        (
            "goals: [{id: g, statement: s}]\nobjectives: [{id: o, kind: awareness, statement: s, aligns_with: zzz}]\n",
            "p.yaml:4:66: objectives[o].aligns_with: no goal with id 'zzz'",
        ),
        (
            "strategies: [{id: s, statement: x, serves: [o]}]\n",
            "p.yaml:3:45: strategies[s].serves[0]: no objective with id 'o'; the plan defines no objective yet",
        ),
        (
            "channels: [{id: c, platform: bluesky, handle: h, purpose: branding, audiences: [x]}]\n",
            "p.yaml:3:81: channels[c].audiences[0]: no audience with id 'x'; the plan defines no audience yet",
        ),
        (
            "content: {pillars: [{id: p, name: P, kind: social, serves: [st]}]}\n",
            "p.yaml:3:61: content.pillars[p].serves[0]: no strategy with id 'st'; the plan defines no strategy yet",
        ),
        (
            "measurement: {reports: [{kind: monthly, to: [q]}]}\n",
            "p.yaml:3:46: measurement.reports[0].to[0]: no person with id 'q'; the plan defines no person yet",
        ),
    ],
)
def test_it_names_each_bad_id_where_it_stands(text: str, expected: str) -> None:
    assert errors_of(HEAD + text) == [expected]


def test_it_names_every_dangling_reference_of_a_response_rule() -> None:
    assert errors_of(HEAD + "response_plan: [{id: r, action: reply, when: {channel: ch}, assign_to: z}]\n") == [
        "p.yaml:3:56: response_plan[r].when.channel: no channel with id 'ch'; the plan defines no channel yet",
        "p.yaml:3:72: response_plan[r].assign_to: no person with id 'z'; the plan defines no person yet",
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["objectives"][0].update(owner="nobody-here"), "objectives[eu-awareness].owner: no person with id 'nobody-here'"),
        (
            lambda d: d["channels"][0]["responsible"][0].update(person="mario"),
            "channels[acme-bsky].responsible[0].person: no person with id 'mario'",
        ),
        (lambda d: d["goals"].append(dict(d["goals"][0])), "duplicate goal id"),
        (lambda d: d["objectives"].append(dict(d["objectives"][0])), "duplicate objective id"),
        (lambda d: d["strategies"].append(dict(d["strategies"][0])), "duplicate strategy id"),
        (lambda d: d["audiences"].append(dict(d["audiences"][0])), "duplicate audience id"),
        (lambda d: d["channels"].append(dict(d["channels"][0])), "duplicate channel id"),
        (lambda d: d["content"]["pillars"].append(dict(d["content"]["pillars"][0])), "duplicate pillar id"),
        (lambda d: d["response_plan"].append(dict(d["response_plan"][0])), "duplicate rule id"),
    ],
)
def test_each_section_of_the_complete_example_is_checked(mutate: object, expected: str) -> None:
    data = complete_plan_data()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(PlanInvalid) as caught:
        validate_plan(data, filename="p.yaml")
    assert any(expected in str(e) for e in caught.value.errors), [str(e) for e in caught.value.errors]


# Shape: unknown keys, missing keys, values of the wrong kind.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("workspace2: 1\n", ["p.yaml:3:1: unknown key 'workspace2'; did you mean 'workspace'?"]),
        ("governance: {budgte: 1}\n", ["p.yaml:3:14: governance: unknown key 'budgte'; did you mean 'budget'?"]),
        (
            "governance: {zzzzzz: 1}\n",
            ["p.yaml:3:14: governance: unknown key 'zzzzzz'; expected one of: driver, ringleader, budget, stakeholders"],
        ),
        ("goals: [{id: g, statement: s, extra: {a: 1}}]\n", ["p.yaml:3:31: goals[g]: unknown key 'extra'; expected one of: id, statement"]),
        (
            "governance: {budget: {amount: 1, currency: euro, per: month}}\n",
            ["p.yaml:3:44: governance.budget.currency: 'euro' is not a currency code: write three capital letters, like EUR or USD"],
        ),
        ("goals: [{id: g, statement: ''}]\n", ["p.yaml:3:28: goals[g].statement: must not be empty"]),
        ("goals: [{id: g, statement: " + "x" * 2001 + "}]\n", ["p.yaml:3:28: goals[g].statement: is too long (at most 2000 characters)"]),
        (
            "content: {mix: {social: 1.5, promotional: 0.2}}\n",
            ["p.yaml:3:25: content.mix.social: 1.5: input should be less than or equal to 1"],
        ),
        ("goals: [{id: g, statement: [a]}]\n", ["p.yaml:3:28: goals[g].statement: expected text, got a list"]),
        ("goals: [{id: g, statement: {a: 1}}]\n", ["p.yaml:3:28: goals[g].statement: expected text, got a mapping"]),
        ("goals: [{id: g, statement: ~}]\n", ["p.yaml:3:28: goals[g].statement: expected text, got nothing"]),
        ("goals: [{id: 5, statement: s}]\n", ["p.yaml:3:14: goals[0].id: expected text, got 5"]),
        (
            "goals: [{id: " + "a" * 70 + ", statement: s}]\n",
            [
                f"p.yaml:3:14: goals[{'a' * 70}].id: '{'a' * 56}… is not a valid id: "
                "use lower-case letters, digits, '-' and '_' (e.g. 'eu-awareness')"
            ],
        ),
        ("channels: [{id: c, platform: bluesky, handle: h, purpose: educatin}]\n", None),
    ],
)
def test_it_says_what_is_wrong_with_the_shape(text: str, expected: list[str] | None) -> None:
    errors = errors_of(HEAD + text)
    if expected is None:  # a value from a fixed list: the list, and the closest one
        assert errors == [
            "p.yaml:3:59: channels[c].purpose: 'educatin' is not one of: branding, promoting_products, educating, "
            "driving_traffic, customer_service, communicating_with_clients; did you mean 'educating'?"
        ]
    else:
        assert errors == expected


def test_it_says_which_key_is_missing_and_where() -> None:
    assert errors_of("strata: 1\ngoals: [{statement: s}]\n") == [
        "p.yaml:1:1: missing required key 'workspace'",
        "p.yaml:2:9: goals[0]: missing required key 'id'",
    ]


def test_it_lists_the_plans_sections_for_an_unknown_one() -> None:
    assert errors_of("a: 1\n") == [
        "p.yaml:1:1: missing required key 'workspace'",
        f"p.yaml:1:1: unknown key 'a'; expected one of: {TOP_KEYS}",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "p.yaml:1:1: the file is empty; a plan starts with 'strata: 1' and 'workspace:'"),
        ("- 1\n---\n- 2\n", "p.yaml:1:1: the file holds several YAML documents (---); a plan is one document"),
        ("42\n", "p.yaml:1:1: a plan is a mapping of sections (strata, workspace, goals, …), not a list or a single value"),
        ("{}\n", "p.yaml:1:1: a plan is a mapping of sections (strata, workspace, goals, …), not a list or a single value"),
        ("\n\n- 1\n- 2\n", "p.yaml:3:1: a plan is a mapping of sections (strata, workspace, goals, …), not a list or a single value"),
    ],
)
def test_it_refuses_what_is_not_one_plan(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_the_path_uses_ids_where_elements_have_them() -> None:
    raw = {"channels": [{"id": "acme-bsky"}, {"handle": "x"}, "text"]}
    assert describe_path(("channels", 0, "purpose"), raw) == "channels[acme-bsky].purpose"
    assert describe_path(("channels", 1, "purpose"), raw) == "channels[1].purpose"
    assert describe_path(("channels", 2), raw) == "channels[2]"
    assert describe_path(("channels", 7, "id"), raw) == "channels[7].id"
    assert describe_path(("channels", 3, "id"), raw) == "channels[3].id"
    assert describe_path(("nowhere", 0, "x"), raw) == "nowhere[0].x"


def test_a_validated_plan_from_json_has_no_positions_but_the_same_words() -> None:
    data = complete_plan_data()
    data["channels"][0]["purpose"] = "educatin"
    with pytest.raises(PlanInvalid) as caught:
        validate_plan(data, filename="api")
    [error] = caught.value.errors
    assert (error.line, error.column, error.path) == (1, 1, "channels[acme-bsky].purpose")
    assert error.message.endswith("did you mean 'educating'?")
    with pytest.raises(PlanInvalid, match="a plan is a mapping of sections"):
        validate_plan(42, filename="api")


# The text itself: size, encoding, YAML.


def test_the_size_limit_is_told_in_megabytes() -> None:
    assert str(too_large(7 * 1048576 + 104858, "big.yaml").errors[0]) == "big.yaml:1:1: the file is 7.1 MB; a plan file may be at most 5 MB"
    assert str(too_large(None, "big.yaml").errors[0]) == "big.yaml:1:1: the file is more than 5 MB; a plan file may be at most 5 MB"
    assert str(too_large(7_392_461, "big.yaml").errors[0]) == "big.yaml:1:1: the file is 7.1 MB; a plan file may be at most 5 MB"
    assert errors_of(b"#" * (5 * 1024 * 1024 + 1)) == ["p.yaml:1:1: the file is 5.0 MB; a plan file may be at most 5 MB"]


def test_a_file_of_exactly_five_megabytes_is_read() -> None:
    text = HEAD + "#" * (5 * 1024 * 1024 - len(HEAD))
    assert load_plan(text.encode(), "p.yaml").workspace.name == "A"


def test_a_byte_order_mark_is_not_part_of_the_plan() -> None:
    assert load_plan(("\ufeff" + HEAD).encode(), "p.yaml").workspace.name == "A"


def test_bad_bytes_are_pointed_at() -> None:
    assert errors_of(b"strata: 1\nworkspace: {name: \xff}\n") == [
        "p.yaml:2:19: the file is not UTF-8 text (byte 0xff here); save it as UTF-8"
    ]
    assert errors_of(b"\xfe") == ["p.yaml:1:1: the file is not UTF-8 text (byte 0xfe here); save it as UTF-8"]


def test_control_characters_are_pointed_at() -> None:
    assert errors_of(b"strata: 1\nworkspace: {name: A\x00}\n") == [
        "p.yaml:2:20: the file contains a control character (U+0000) that YAML does not allow"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [\n", "p.yaml:2:1: not valid YAML: did not find expected node content"),
        ("a: b: c\n", "p.yaml:1:5: not valid YAML: mapping values are not allowed in this context"),
        ("strata: 1\nworkspace: {name: A}\nstrata: 1\n", "p.yaml:3:1: duplicate key 'strata': each key may appear once here"),
        ("a: {<<: {b: 1}}\nstrata: 1\nstrata: 1\n", "p.yaml:1:5: merge keys (<<) are not supported in plan files: write the keys out"),
        ("? [a]\n: 1\nstrata: 1\nstrata: 1\n", "p.yaml:1:3: a key must be a plain word, not a list or mapping"),
        ("a: !!binary xyz\nstrata: 1\nstrata: 1\n", "p.yaml:1:4: cannot read this value: failed to decode base64 data: Incorrect padding"),
        ("a: &x 1\nb: *x\n", "p.yaml:2:4: aliases (*name) are not supported in plan files: write the value out"),
        ("a: &x [1]\nb: [*x]\n", "p.yaml:2:5: aliases (*name) are not supported in plan files: write the value out"),
    ],
)
def test_it_places_each_yaml_problem(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


# Nesting: refused beyond MAX_DEPTH levels, wherever the depth comes from.


def nested_flow(levels: int) -> str:
    """A mapping (one level) holding `levels - 1` nested lists."""
    return "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"


def nested_block(levels: int) -> str:
    """`levels` mappings, one inside the other, by indentation."""
    return "a:\n" + "".join("  " * i + "b:\n" for i in range(1, levels - 1)) + "  " * (levels - 1) + "c: 1\n"


TOO_DEEP = "the YAML is nested more than 100 levels deep; a plan needs fewer than ten"


def test_the_limit_is_a_hundred_levels() -> None:
    assert MAX_DEPTH == 100


def test_flow_nesting_beyond_the_limit_is_refused_at_the_first_level_too_many() -> None:
    # With an anchor in the file every level is counted; without one, a quick count of the
    # brackets lets through what cannot crash a parser, and measures the rest.
    assert errors_of("z: &anchor 1\n" + nested_flow(MAX_DEPTH + 1)) == [f"p.yaml:2:103: {TOO_DEEP}"]
    assert errors_of(nested_flow(MAX_DEPTH + 2)) == [f"p.yaml:1:103: {TOO_DEEP}"]


def test_block_nesting_beyond_the_limit_is_refused_at_the_first_level_too_many() -> None:
    assert errors_of(nested_block(MAX_DEPTH + 1)) == [f"p.yaml:101:201: {TOO_DEEP}"]


@pytest.mark.parametrize("make", [nested_flow, nested_block])
def test_nesting_up_to_the_limit_is_read_even_when_measured_exactly(make: object) -> None:
    # An anchor makes the loader walk every event, counting levels exactly.
    text = "z: &anchor 1\n" + make(MAX_DEPTH)  # type: ignore[operator]
    check_bounds(text)
    assert "nested more than" not in " ".join(errors_of(text))


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_nesting_hidden_behind_other_line_breaks_is_found(brk: str) -> None:
    check_bounds(nested_block(MAX_DEPTH).replace("\n", brk))
    text = "a:" + "".join(brk + "  " * i + "b:" for i in range(1, MAX_DEPTH + 1)) + brk + "  " * (MAX_DEPTH + 1) + "c: 1" + brk
    assert errors_of(text) == [f"p.yaml:101:201: {TOO_DEEP}"]


def test_the_first_line_is_measured_like_the_others() -> None:
    assert errors_of("- " * (MAX_DEPTH + 1) + "x\n") == [f"p.yaml:1:201: {TOO_DEEP}"]
    assert errors_of("&x a: 1\nb: *x\n") == ["p.yaml:2:4: aliases (*name) are not supported in plan files: write the value out"]


def test_many_brackets_side_by_side_are_not_nesting() -> None:
    many = "a: [" + ", ".join("[1]" for _ in range(150)) + "]\n"
    check_bounds(many)
    assert "nested more than" not in " ".join(errors_of(many))
    lots = "a: [" + ", ".join("[1]" for _ in range(20_001)) + "]\n"
    check_bounds(lots)


def test_closed_brackets_do_not_add_up_to_depth() -> None:
    # 60 levels, closed, then 60 more: never deeper than 61.
    text = "a: " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 60 + "]" * 60 + "\n"
    check_bounds(text)
    # 101 brackets open before any closes: too deep, even with the brackets in quotes counted.
    with pytest.raises(Exception, match="nested more than 100"):
        check_bounds("a: " + "[" * 101 + "]" * 101 + "\n")


def test_text_that_only_looks_like_an_anchor_is_read() -> None:
    plan = load_plan((HEAD + "goals: [{id: g, statement: 'R&D, Q & A and &more'}]\n").encode(), "p.yaml")
    assert plan.goals[0].statement == "R&D, Q & A and &more"


def test_broken_yaml_found_while_measuring_is_placed() -> None:
    assert errors_of("z: &anchor 1\na: [\n") == ["p.yaml:3:1: not valid YAML: did not find expected node content"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strata: 1\nb: !!bool maybe\n", "p.yaml:2:4: cannot read this value: 'maybe' is not a valid !!bool"),
        ("a: !!int twelve\n", "p.yaml:1:4: cannot read this value: 'twelve' is not a valid !!int"),
        ("a: !!float x\n", "p.yaml:1:4: cannot read this value: 'x' is not a valid !!float"),
        ("a: !!timestamp soon\n", "p.yaml:1:4: cannot read this value: 'soon' is not a valid !!timestamp"),
    ],
)
def test_a_value_that_does_not_fit_its_tag_is_refused_in_words(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_what_only_the_fast_parser_refuses_is_still_refused() -> None:
    assert errors_of("a: !!null x\n") == ["p.yaml:1:1: not valid YAML: Invalid value 'x' for '!!null' tag"]


def test_depth_is_counted_down_as_well_as_up() -> None:
    # 99 levels, a list that closes, then a sibling that goes two levels deeper: 101.
    text = "z: &anchor 1\na: " + "[" * 98 + "[1], [[2]]" + "]" * 98 + "\n"
    assert errors_of(text) == [f"p.yaml:2:{4 + 98 + 6}: {TOO_DEEP}"]


def test_braces_count_as_nesting_like_brackets() -> None:
    text = "a: " + "{b: " * 101 + "1" + "}" * 101 + "\n"
    [error] = errors_of(text)
    assert error.endswith(TOO_DEEP)


# What the API and the upload page show: every field of an error about the whole file.


def refusal(text: str | bytes) -> list[dict[str, object]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(PlanInvalid) as caught:
        load_plan(data, "p.yaml")
    return [e.as_dict() for e in caught.value.errors]


def whole_file(line: int, column: int, message: str) -> list[dict[str, object]]:
    return [{"file": "p.yaml", "line": line, "column": column, "path": "", "message": message}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"#" * (5 * 1024 * 1024 + 1), whole_file(1, 1, "the file is 5.0 MB; a plan file may be at most 5 MB")),
        (b"# nothing yet\n", whole_file(1, 1, "the file is empty; a plan starts with 'strata: 1' and 'workspace:'")),
        (b"a: " + b"[" * 101 + b"]" * 101, whole_file(1, 103, "the YAML is nested more than 100 levels deep; a plan needs fewer than ten")),
        (b"strata: 1\n\xff", whole_file(2, 1, "the file is not UTF-8 text (byte 0xff here); save it as UTF-8")),
        ("strata: 1\n\x01", whole_file(2, 1, "the file contains a control character (U+0001) that YAML does not allow")),
        ("a: [\n", whole_file(2, 1, "not valid YAML: did not find expected node content")),
        ("a: 1\na: 2\n", whole_file(2, 1, "duplicate key 'a': each key may appear once here")),
        ("- 1\n---\n- 2\n", whole_file(1, 1, "the file holds several YAML documents (---); a plan is one document")),
        ("- 1\n", whole_file(1, 1, "a plan is a mapping of sections (strata, workspace, goals, …), not a list or a single value")),
        ('strata: 1\nworkspace:\n  name: "A\n\tB"\n', whole_file(4, 1, "not valid YAML: tab cannot be used as indentation")),
    ],
)
def test_an_error_about_the_whole_file_has_an_empty_path(text: str | bytes, expected: list[dict[str, object]]) -> None:
    assert refusal(text) == expected


# Where a bad character stands, counted from the line breaks before it (and only those).


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            b"\nstrata: 1\nworkspace: {name: \xff}\nmore: 1\n\n",
            "p.yaml:3:19: the file is not UTF-8 text (byte 0xff here); save it as UTF-8",
        ),
        (b"\n\xff\n", "p.yaml:2:1: the file is not UTF-8 text (byte 0xff here); save it as UTF-8"),
        (b"\na: 1\nb: 2\nc: \x00\nd: 4\n\n", "p.yaml:4:4: the file contains a control character (U+0000) that YAML does not allow"),
        (b"\na: \x00\n", "p.yaml:2:4: the file contains a control character (U+0000) that YAML does not allow"),
        (b"a: \x00\nb: \x00\n", "p.yaml:1:4: the file contains a control character (U+0000) that YAML does not allow"),
        # Found while measuring the nesting of a file with an anchor.
        (b"a: &x 1\nb: \x01\n", "p.yaml:2:4: the file contains a control character (U+0001) that YAML does not allow"),
        (
            b"\nstrata: 1\nworkspace: {name: A}\nx: [\x01\n\n",
            "p.yaml:4:5: the file contains a control character (U+0001) that YAML does not allow",
        ),
        (b"\nx: [\x01\n", "p.yaml:2:5: the file contains a control character (U+0001) that YAML does not allow"),
        # Letters of more than one byte before it do not move it.
        (
            "strata: 1\nworkspace: {name: Zoë 日本}\nx: [\x01\n".encode(),
            "p.yaml:3:5: the file contains a control character (U+0001) that YAML does not allow",
        ),
        ("x: ['ë', \x01\n".encode(), "p.yaml:1:10: the file contains a control character (U+0001) that YAML does not allow"),
    ],
)
def test_a_bad_character_is_placed_by_the_lines_before_it(text: bytes, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_a_nul_character_does_not_cut_the_file_short() -> None:
    # Read as far as the NUL only, this would be a valid plan without its goals.
    assert errors_of(HEAD + "\x00\ngoals: [{id: g, statement: s}]\n") == [
        "p.yaml:3:1: the file contains a control character (U+0000) that YAML does not allow"
    ]


# What only the fast parser refuses, it places where it says.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'strata: 1\nworkspace:\n  name: A\ngoals:\n  - id: g\n    statement: "x\n\ty"\n',
            "p.yaml:7:1: not valid YAML: tab cannot be used as indentation",
        ),
        (HEAD + "\ufeff\n", "p.yaml:4:1: not valid YAML: simple key expect ':'"),
    ],
)
def test_what_only_the_fast_parser_refuses_is_placed_where_it_says(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


# Unknown keys deeper in the plan: in an optional section, in a list item's own list, in a
# section that has a default.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("governance: {budget: {amount: 1, amout: 1}}\n", "p.yaml:3:34: governance.budget: unknown key 'amout'; did you mean 'amount'?"),
        (
            "governance: {budget: {amount: 1, zzz: 1}}\n",
            "p.yaml:3:34: governance.budget: unknown key 'zzz'; expected one of: amount, currency, per",
        ),
        (
            "people: [{id: p, name: P}]\nchannels: [{id: c, platform: bluesky, handle: h, responsible: [{person: p, dys: [mon]}]}]\n",
            "p.yaml:4:76: channels[c].responsible[0]: unknown key 'dys'; did you mean 'days'?",
        ),
        (
            "response_plan: [{id: r, action: reply, when: {chanel: c}}]\n",
            "p.yaml:3:47: response_plan[r].when: unknown key 'chanel'; did you mean 'channel'?",
        ),
        (
            "objectives: [{id: o, kind: awareness, statement: s, kpi: {metric: m, zzz: 1}}]\n",
            "p.yaml:3:70: objectives[o].kpi: unknown key 'zzz'; expected one of: metric, baseline, target, deadline",
        ),
    ],
)
def test_an_unknown_key_deep_in_the_plan_gets_the_keys_of_its_own_place(text: str, expected: str) -> None:
    assert errors_of(HEAD + text) == [expected]


def test_a_platform_that_does_not_exist_is_named_at_its_key() -> None:
    assert errors_of(HEAD + "audiences: [{id: a, description: d, presence: {mastadon: 3}}]\n") == [
        "p.yaml:3:58: audiences[a].presence.mastadon: 'mastadon' is not one of: bluesky, mastodon, x, linkedin, facebook, "
        "instagram, threads, tiktok, youtube, pinterest, reddit, rss, newsletter, webhook, blog, other; did you mean 'mastodon'?"
    ]


# Values: the words for each kind of wrong value.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "governance: {budget: {amount: -1}}\n",
            "p.yaml:3:31: governance.budget.amount: -1: input should be greater than or equal to 0",
        ),
        ("content: {mix: {social: .inf}}\n", "p.yaml:3:25: content.mix.social: Input should be a finite number (got inf)"),
        (
            "goals: [{id: g, statement: true}]\n",
            "p.yaml:3:28: goals[g].statement: expected text, got true (a yes/no value; put it in quotes if you meant the word)",
        ),
        (
            "goals: [{id: " + "A" * 58 + ", statement: s}]\n",
            f"p.yaml:3:14: goals[{'A' * 58}].id: '{'A' * 58}' is not a valid id: "
            "use lower-case letters, digits, '-' and '_' (e.g. 'eu-awareness')",
        ),
        (
            "goals: [{id: " + "A" * 59 + ", statement: s}]\n",
            f"p.yaml:3:14: goals[{'A' * 59}].id: '{'A' * 56}… is not a valid id: "
            "use lower-case letters, digits, '-' and '_' (e.g. 'eu-awareness')",
        ),
    ],
)
def test_each_kind_of_wrong_value_is_told_in_words(text: str, expected: str) -> None:
    assert errors_of(HEAD + text) == [expected]


# Aliases, wherever their anchor hides, are refused at the alias.


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('z: {"a":&x [1], "b": *x}\n', 22),  # a value right after a quoted key's ':'
        ('z: {"a":&x 1, "b": *x}\n', 20),
        ("z: [?&x [1], *x]\n", 14),  # an explicit key right after its '?'
    ],
)
def test_an_anchor_right_after_a_flow_indicator_is_found(text: str, column: int) -> None:
    assert errors_of(HEAD + text) == [f"p.yaml:3:{column}: aliases (*name) are not supported in plan files: write the value out"]


def test_the_fast_parser_refuses_an_alias_on_its_own_too() -> None:
    with pytest.raises(yamlnodes.FastParseError):
        yamlnodes.parse_fast("a: &x [1]\nb: *x\n")


def test_the_node_tree_refuses_an_alias_on_its_own_too() -> None:
    # The bounds refuse aliases first; converting the node tree must not expand one either.
    root = yamlnodes.compose("a: &x [1]\nb: [*x]\n")
    assert root is not None
    with pytest.raises(yamlnodes.NodeError) as caught:
        yamlnodes.to_python(root)
    assert (caught.value.line, caught.value.column, caught.value.message) == (1, 4, NO_ALIASES)


def test_a_refused_file_leaves_nothing_behind() -> None:
    text = "a: 1\nb: true\nc: 2027-06-30\na: 2\n"
    errors_of(text)
    gc.collect()
    before = sum(issubclass(type(o), yaml.Node) for o in gc.get_objects())
    for _ in range(20):
        errors_of(text)
    gc.collect()
    assert sum(issubclass(type(o), yaml.Node) for o in gc.get_objects()) <= before


# The quick count of brackets: closing brackets count down, and only by one.


@pytest.mark.parametrize(
    ("first", "deep"), [("[[1], [2]]", "[" * 101 + "]" * 101), ("{b: {c: 1}, d: {e: 2}}", "{f: " * 101 + "1" + "}" * 101)]
)
def test_brackets_closed_earlier_do_not_hide_nesting_later(first: str, deep: str) -> None:
    [error] = errors_of(f"a: {first}\nb: {deep}\n")
    assert error.startswith("p.yaml:2:")
    assert error.endswith(TOO_DEEP)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strata: 11\nworkspace: {name: A}\n", "p.yaml:1:9: strata: 11 is not one of: 1"),  # no hint for a number
        (
            HEAD + "objectives: [{id: o, kind: zzzz, statement: s}]\n",
            "p.yaml:3:28: objectives[o].kind: 'zzzz' is not one of: awareness, engagement, support_deflection, traffic, leads, custom",
        ),
        (
            HEAD + "response_plan: [{id: r, action: esc}]\n",
            "p.yaml:3:33: response_plan[r].action: 'esc' is not one of: reply, take_offline, thank_and_ask, escalate, ignore; "
            "did you mean 'escalate'?",
        ),
        (
            "strata: 1\nworkspace: {name: A, timezone: Europe/Berlim}\n",
            "p.yaml:2:32: workspace.timezone: 'Europe/Berlim' is not a time zone; did you mean 'Europe/Berlin'?",
        ),
        (
            HEAD + "listening: [{id: q, topic: brand, query: acme, language: EN}]\n",
            "p.yaml:3:58: listening[q].language: 'EN' is not a language code: write two or three lower-case letters, like en or de",
        ),
        (HEAD + "goals: [{id: g}]\n", "p.yaml:3:9: goals[g]: missing required key 'statement'"),
    ],
)
def test_a_value_outside_its_choices_or_rules_is_told_in_words(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_a_query_that_does_not_parse_is_placed_inside_the_query() -> None:
    line = "listening: [{id: q, topic: brand, query: 'acme AND (bike'}]"
    assert errors_of(HEAD + line + "\n") == [
        f"p.yaml:3:{line.index('(bike') + 1}: listening[q].query: this '(' is never closed: expected ')' (character 10 of the query)"
    ]


def test_errors_from_json_keep_apart_what_only_their_path_tells_apart() -> None:
    # Without a file there are no positions: two elements with the same fault are two errors.
    data = {"workspace": {"name": "A"}, "goals": [{"id": "a", "statement": ""}, {"id": "b", "statement": ""}]}
    with pytest.raises(PlanInvalid) as caught:
        validate_plan(data, filename="api")
    assert [str(e) for e in caught.value.errors] == [
        "api:1:1: goals[a].statement: must not be empty",
        "api:1:1: goals[b].statement: must not be empty",
    ]


def test_a_date_written_as_text_stays_text() -> None:
    plan = load_plan((HEAD + "goals: [{id: g, statement: 2027-06-30}]\n").encode(), "p.yaml")
    assert plan.goals[0].statement == "2027-06-30"


def test_without_a_name_the_file_is_called_plan_yaml() -> None:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(b"")
    assert [str(e) for e in caught.value.errors] == ["plan.yaml:1:1: the file is empty; a plan starts with 'strata: 1' and 'workspace:'"]
