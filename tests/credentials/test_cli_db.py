"""`credgraph import` and `export-clr` against a real database file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from app.db.connection import open_database
from app.db.migrate import apply_migrations
from app.db.models.learners import Credential
from tests.credentials.conftest import make_ob3
from tests.credentials.test_cli import run, write

APAAR = "123456789012"


@pytest.fixture
def database(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    asyncio.run(apply_migrations(db_url))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CREDGRAPH_SIGNING_KEY", str(tmp_path / "key.pem"))
    return db_url


async def _count(db_url: str) -> int:
    async with open_database(db_url):
        return await Credential.all().count()


def test_import_stores_valid_ones_and_reports_each(
    database: str, tmp_path: Path, issuer_key, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [
        write(
            tmp_path,
            f"c{i}.json",
            make_ob3(
                issuer_key,
                name=f"Course {i}",
                ident=f"urn:uuid:00000000-0000-4000-8000-00000000020{i}",
            ),
        )
        for i in range(2)
    ]
    tampered = make_ob3(issuer_key, name="Course 9")
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 99
    bad = write(tmp_path, "bad.json", tampered)
    code, out, _ = run(["import", "--learner", APAAR, *good, bad], capsys)
    reports = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["verdict"] for r in reports] == ["valid", "valid", "invalid"]
    assert [bool(r["stored"]) for r in reports] == [True, True, False]
    assert asyncio.run(_count(database)) == 2
    code, _, _ = run(["import", "--learner", APAAR, good[0]], capsys)
    assert code == 0 and asyncio.run(_count(database)) == 2


def test_import_refuses_a_bad_apaar_id(
    database: str, tmp_path: Path, issuer_key, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "c.json", make_ob3(issuer_key))
    code, _, err = run(["import", "--learner", "12AB", path], capsys)
    assert code == 2 and "12 digits" in err


def test_exported_record_verifies(
    database: str, tmp_path: Path, issuer_key, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "c.json", make_ob3(issuer_key))
    assert run(["import", "--learner", APAAR, path], capsys)[0] == 0
    code, _, err = run(["export-clr", "--learner", APAAR], capsys)
    assert code == 2 and "credgraph keygen" in err
    assert run(["keygen"], capsys)[0] == 0
    out_file = tmp_path / "clr.json"
    assert run(["export-clr", "--learner", APAAR, "-o", str(out_file)], capsys)[0] == 0
    code, out, _ = run(["verify", str(out_file)], capsys)
    assert code == 0, out
    assert json.loads(out)["format"] == "clr2"
    assert "123456789012" not in out_file.read_text()


def test_import_of_a_non_credential_is_a_usage_error(
    database: str, tmp_path: Path, issuer_key, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "c.json", make_ob3(issuer_key))
    junk = write(tmp_path, "junk.json", '{"hello": "world"}')
    code, out, err = run(["import", "--learner", APAAR, junk, good], capsys)
    assert code == 2
    assert "junk.json" in err and "Traceback" not in err
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["valid"]
    assert asyncio.run(_count(database)) == 1
