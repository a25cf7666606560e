"""strata plan check / import / export, as an operator runs them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.strategy.plan.loader import load_plan
from strata.strategy.store import current_plan
from tests.conftest import DEMO_PLAN, write
from tests.plans import complete_plan_text

# `strata plan check` reads a file and touches no database, and the export against a database that
# is not set up makes a SQLite file of its own: the command line, in the SQLite pass only.
one_database = pytest.mark.one_database


def strata(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "strata.cli", *args],
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
        check=False,
    )


def run(*args: str) -> tuple[int, str, str]:
    """A management command in this process (so that it sees the test database)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@one_database
def test_check_exits_0_for_a_plan_without_errors(tmp_path: Path) -> None:
    result = strata("plan", "check", str(write(tmp_path, complete_plan_text())), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"findings": [], "score": 100}


@one_database
def test_check_exits_1_and_lists_findings_when_the_review_finds_errors() -> None:
    result = strata("plan", "check", str(DEMO_PLAN), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert 0 < report["score"] < 100
    assert {"code": "channel.no_purpose", "severity": "error", "ref": "channel:acme-pinterest"}.items() <= report["findings"][0].items()


@one_database
def test_check_exits_2_with_file_line_and_column_when_the_file_is_not_a_plan(tmp_path: Path) -> None:
    path = write(tmp_path, complete_plan_text().replace("purpose: branding", "purpose: [branding, educating]"))
    result = strata("plan", "check", str(path))
    assert result.returncode == 2
    assert f"{path}:" in result.stderr
    assert "exactly one primary purpose" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@one_database
def test_check_reads_standard_input_and_says_so_in_errors() -> None:
    result = strata("plan", "check", "-", stdin=b"strata: 1\nworkspace: {nme: A}\n")
    assert result.returncode == 2
    assert "<stdin>:2:13: workspace: unknown key 'nme'; did you mean 'name'?" in result.stderr


@one_database
def test_check_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = strata("plan", "check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "cannot read the file: No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


@one_database
def test_check_json_errors_are_machine_readable(tmp_path: Path) -> None:
    result = strata("plan", "check", str(write(tmp_path, "strata: 1\nworkspace: {name: A}\ngoals: [{id: g}]\n")), "--format", "json")
    assert result.returncode == 2
    [error] = json.loads(result.stdout)["errors"]
    assert error == {
        "file": str(tmp_path / "plan.yaml"),
        "line": 3,
        "column": 9,
        "path": "goals[g]",
        "message": "missing required key 'statement'",
    }


@pytest.mark.django_db
def test_import_creates_the_workspace_and_export_gives_the_same_plan(tmp_path: Path) -> None:
    code, out, _ = run("plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    assert code == 0
    assert "imported" in out
    assert "revision 1" in out
    code, exported, _ = run("plan", "export", "--workspace", "acme")
    assert code == 0
    assert load_plan(exported.encode()) == load_plan(DEMO_PLAN.read_bytes())
    # and exporting the import of an export is byte-for-byte stable
    run("plan", "import", str(write(tmp_path, exported)), "--workspace", "acme")
    assert run("plan", "export", "--workspace", "acme")[1] == exported


@pytest.mark.django_db
def test_import_is_all_or_nothing(tmp_path: Path) -> None:
    run("plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    before = current_plan(Workspace.objects.get(slug="acme"))
    broken = (
        DEMO_PLAN.read_text().replace("name: Acme Bikes", "name: Renamed").replace("serves: [deflect-support]", "serves: [nothing-here]")
    )
    code, _, err = run("plan", "import", str(write(tmp_path, broken)), "--workspace", "acme")
    assert code == 2
    assert "no objective with id 'nothing-here'" in err
    assert "nothing was changed" in err
    after = current_plan(Workspace.objects.get(slug="acme"))
    assert after == before
    assert Workspace.objects.get(slug="acme").name == "Acme Bikes"


@pytest.mark.django_db
def test_a_broken_file_does_not_create_the_workspace(tmp_path: Path) -> None:
    code, _, _ = run("plan", "import", str(write(tmp_path, "strata: 1\nworkspace: [x]\n")), "--workspace", "newco")
    assert code == 2
    assert not Workspace.objects.filter(slug="newco").exists()
    assert not PlanRevision.objects.exists()


@pytest.mark.django_db
def test_import_json_output_reports_revision_and_review(tmp_path: Path) -> None:
    code, out, _ = run("plan", "import", str(write(tmp_path, complete_plan_text())), "--workspace", "acme", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert (report["workspace"], report["revision"]) == ("acme", 1)
    # a complete plan; the empty calendar does not meet the channel's cadence yet
    assert [f["code"] for f in report["findings"]] == ["calendar.cadence_not_met"]


@pytest.mark.django_db
def test_export_of_an_unknown_workspace_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no workspace 'ghost'"):
        call_command("plan", "export", "--workspace", "ghost")


@one_database
def test_export_against_a_database_that_is_not_set_up_says_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "strata.cli", "plan", "export", "--workspace", "acme"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
    )
    assert result.returncode == 1
    assert "run `strata migrate`" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_export_writes_yaml_a_person_can_read(tmp_path: Path) -> None:
    run("plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    target = tmp_path / "out.yaml"
    assert run("plan", "export", "--workspace", "acme", "-o", str(target))[0] == 0
    data: Any = yaml.safe_load(target.read_text())
    assert list(data)[:4] == ["strata", "workspace", "people", "governance"]
    assert data["objectives"][0]["kpi"] == {
        "metric": "followers",
        "baseline": 12000,
        "target": 20000,
        "deadline": __import__("datetime").date(2027, 6, 30),
    }
