"""`credgraph demo` and `migrate` from the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from app.db.connection import open_database
from app.db.models.catalogue import Course, Offering, Provider
from app.db.models.learners import Credential, Learner
from tests.conftest import ROOT


def _cli(*args: str, db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


async def _counts(db_url: str) -> dict[str, int]:
    async with open_database(db_url):
        return {
            model.__name__: await model.all().count()
            for model in (Provider, Course, Offering, Learner, Credential)
        }


def test_demo_twice_duplicates_nothing(db_url: str) -> None:
    first = _cli("demo", "--no-serve", db_url=db_url)
    assert first.returncode == 0, first.stderr
    after_one = asyncio.run(_counts(db_url))
    assert after_one["Learner"] == 2 and after_one["Course"] >= 3
    second = _cli("demo", "--no-serve", db_url=db_url)
    assert second.returncode == 0, second.stderr
    assert asyncio.run(_counts(db_url)) == after_one


def test_migrate_is_idempotent(db_url: str) -> None:
    first = _cli("migrate", db_url=db_url)
    assert first.returncode == 0 and "applied" in first.stdout
    again = _cli("migrate", db_url=db_url)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_every_command_explains_itself() -> None:
    for command in ("serve", "migrate", "demo", "export-schema"):
        result = subprocess.run(
            [sys.executable, "-m", "app", command, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0 and "usage:" in result.stdout, command
