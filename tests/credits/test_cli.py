"""`credgraph audit` and `credgraph plan` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main

from .test_audit_io import GOOD

ROOT = Path(__file__).resolve().parents[2]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def _file(tmp_path: Path, data: Any, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def _eligible() -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    data["credits"] = [dict(data["credits"][0], id=f"c{i}") for i in range(10)]
    data["credits"].append(
        dict(
            data["credits"][0],
            id="voc",
            category="vocational",
            kind="vocational",
            semester=None,
            term="summer",
        )
    )
    return data


def test_audit_exit_0_when_eligible(tmp_path: Path, capsys) -> None:
    code, out, _ = _cli(capsys, "audit", _file(tmp_path, _eligible()))
    result = json.loads(out)
    assert code == 0 and result["eligible"] is True
    assert result["policy"] == {
        "name": "ugc-2023",
        "version": "2023.1",
        "overrides": {},
    }
    assert result["checks"]["rule"] == "R-CERT"
    assert result["next_award"]["award"] == "ug_diploma"


def test_audit_exit_1_and_text_format(tmp_path: Path, capsys) -> None:
    code, out, _ = _cli(capsys, "audit", _file(tmp_path, GOOD))
    assert code == 1 and json.loads(out)["missing"][0]["short"] == 20
    code, out, _ = _cli(capsys, "audit", "--format", "text", _file(tmp_path, GOOD))
    assert code == 1
    assert (
        "NOT ELIGIBLE" in out
        and "[R-CERT] credits: required 40, actual 20, short 20" in out
    )


def test_audit_exit_2_names_the_field_and_prints_nothing(
    tmp_path: Path, capsys
) -> None:
    data = json.loads(json.dumps(GOOD))
    data["credits"][3]["earned_on"] = "yesterday"
    code, out, err = _cli(capsys, "audit", _file(tmp_path, data))
    assert code == 2 and out == ""
    assert "credits[3].earned_on: not a date" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out, err = _cli(capsys, "audit", str(bad))
    assert code == 2 and out == "" and "not JSON" in err
    code, out, err = _cli(capsys, "audit", str(tmp_path / "missing.json"))
    assert code == 2 and out == ""


def test_audit_schema(capsys) -> None:
    code, out, _ = _cli(capsys, "audit", "--schema")
    assert code == 0 and json.loads(out)["title"] == "credgraph audit input"


def _catalogue() -> list[dict[str, Any]]:
    return [
        {
            "id": "k1",
            "title": "Cheap",
            "provider": "home",
            "credits": 4,
            "hours": 100,
            "fee": 900,
            "weeks": 12,
            "start": "2025-09-01",
            "level": 4.5,
            "category": "major",
        },
        {
            "id": "k2",
            "title": "Costly",
            "provider": "home",
            "credits": 4,
            "hours": 140,
            "fee": 100,
            "weeks": 8,
            "start": "2025-09-01",
            "level": 4.5,
            "category": "major",
        },
        {
            "id": "k3",
            "title": "Started",
            "provider": "home",
            "credits": 4,
            "hours": 10,
            "fee": 0,
            "weeks": 4,
            "start": "2025-07-01",
            "level": 4.5,
            "category": "major",
        },
    ]


def test_plan_prints_the_cheapest_plan(tmp_path: Path, capsys) -> None:
    data = _eligible()
    data["credits"] = data["credits"][1:]  # 36 + 4 vocational: 4 credits short
    learner = _file(tmp_path, data)
    catalogue = _file(tmp_path, _catalogue(), "cat.json")
    code, out, _ = _cli(capsys, "plan", learner, "--catalogue-file", catalogue)
    plan = json.loads(out)
    assert code == 0 and plan["feasible"]
    assert [c["id"] for c in plan["courses"]] == ["k1"]  # k3 has started
    assert plan["total_hours"] == 100 and plan["closes"] == {"k1": ["R-CERT credits"]}
    code, out, _ = _cli(
        capsys, "plan", learner, "--catalogue-file", catalogue, "--minimise", "fee"
    )
    assert [c["id"] for c in json.loads(out)["courses"]] == ["k2"]


def test_plan_exit_1_names_the_rule_that_cannot_be_met(tmp_path: Path, capsys) -> None:
    data = _eligible()
    data["credits"] = [c for c in data["credits"] if c["id"] != "voc"]
    learner = _file(tmp_path, data)
    catalogue = _file(tmp_path, _catalogue(), "cat.json")
    code, out, _ = _cli(capsys, "plan", learner, "--catalogue-file", catalogue)
    plan = json.loads(out)
    assert code == 1 and not plan["feasible"]
    assert plan["cannot_meet"] == [
        {
            "rule": "R-CERT",
            "what": "vocational credits",
            "required": 4,
            "actual": 0,
            "short": 4,
        }
    ]


def test_plan_bad_catalogue_is_exit_2(tmp_path: Path, capsys) -> None:
    bad = _catalogue()
    bad[1]["start"] = "soon"
    code, out, err = _cli(
        capsys,
        "plan",
        _file(tmp_path, GOOD),
        "--catalogue-file",
        _file(tmp_path, bad, "cat.json"),
    )
    assert code == 2 and out == "" and "catalogue[1].start: not a date" in err


def test_engine_imports_neither_orm_nor_graphql() -> None:
    code = (
        "import sys, app.credits, app.credits.ledger, app.credits.units, "
        "app.credits.catalogue_io;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tortoise', 'strawberry'));"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""
