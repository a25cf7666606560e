"""Malformed plan files thrown at `strata plan check`: exit 2 with file:line:column messages,
or a normal review when the damage left a valid plan; never a traceback."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO_PLAN

pytestmark = pytest.mark.slow

DEMO = DEMO_PLAN.read_bytes()
ERROR_LINE = re.compile(r"^.+:\d+:\d+: .+$")
YAML_BITS = [
    b":",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"\t",
    b"\n",
    b"  ",
    b"'",
    b'"',
    b"#",
    b"%YAML 1.1\n",
    b"---\n",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"<<: ",
    b"? ",
    b"|",
    b">",
]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(DEMO)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "swap-lines", "indent"]))
        at = draw(st.integers(0, len(data)))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(YAML_BITS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "replace":
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=3))
        elif kind == "truncate":
            del data[at:]
        elif kind == "indent":
            data[at:at] = b" " * draw(st.integers(1, 3))
        else:
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def check(tmp_path: Path, data: bytes) -> tuple[int, str, str]:
    path = tmp_path / "fuzzed.yaml"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("plan", "check", str(path), stdout=out, stderr=err)
    return int(exit_.value.code or 0), out.getvalue(), err.getvalue()


def assert_clear(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in out + err
    if code == 2:
        *errors, summary = err.strip().splitlines()
        assert errors, err
        assert all(ERROR_LINE.match(line) for line in errors), err
        assert "nothing was changed" in summary
    else:
        assert "health score" in out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damaged())
def test_damaged_plans_get_clear_errors(tmp_path: Path, data: bytes) -> None:
    assert_clear(*check(tmp_path, data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_get_clear_errors(tmp_path: Path, data: bytes) -> None:
    code, out, err = check(tmp_path, data)
    assert_clear(code, out, err)
    assert code == 2 or data.strip().startswith(b"strata") or b"workspace" in data


def test_a_python_object_tag_is_refused_not_run(tmp_path: Path) -> None:
    code, _, err = check(tmp_path, b"strata: 1\nworkspace: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    assert code == 2
    assert "plan.yaml" not in err
    assert "fuzzed.yaml:2:12:" in err
