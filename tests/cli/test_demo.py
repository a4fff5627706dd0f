"""`credgraph demo` and `migrate` from the command line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

from app.db.connection import open_database
from app.db.models.catalogue import (
    Course,
    EquivalenceGroup,
    Offering,
    Programme,
    Provider,
)
from app.db.models.learners import Credential, Learner
from app.db.models.pathways import Pathway
from tests.conftest import ROOT


def _cli(*args: str, db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


# The connectors the demo syncs from the simulator (app/demo/sources.py).
CONNECTORS = {"swayam", "nptel", "edx", "coursera", "ctdl"}
MODELS = (
    Provider,
    Course,
    Offering,
    EquivalenceGroup,
    Pathway,
    Programme,
    Learner,
    Credential,
)


async def _counts(db_url: str) -> dict[str, int]:
    async with open_database(db_url):
        return {model.__name__: await model.all().count() for model in MODELS}


async def _graph(db_url: str) -> dict[str, Any]:
    """What the demo must show: sources, cross-source groups, learners' homes."""
    async with open_database(db_url):
        rows = await Course.filter(withdrawn=False).values_list(
            "source", "equivalence_group_id"
        )
        by_group: dict[int, set[str]] = {}
        for source, group in rows:
            if group is not None:
                by_group.setdefault(group, set()).add(source)
        return {
            "sources": {source for source, _ in rows},
            "group_sources": sorted(map(sorted, by_group.values())),
            "homeless": await Learner.filter(home_institution_id=None).count(),
            "groups": sorted(by_group),
        }


def test_demo_twice_duplicates_nothing(db_url: str) -> None:
    first = _cli("demo", "--no-serve", db_url=db_url)
    assert first.returncode == 0, first.stderr
    after_one = asyncio.run(_counts(db_url))
    assert after_one["Learner"] == 2 and after_one["Course"] >= 3
    assert after_one["Pathway"] >= 1 and after_one["Programme"] >= 1
    graph = asyncio.run(_graph(db_url))
    assert len(graph["sources"] & CONNECTORS) >= 4, graph["sources"]
    assert any(len(sources) >= 2 for sources in graph["group_sources"])
    assert graph["homeless"] == 0
    # One summary line per connector, naming its courses.
    for name in CONNECTORS:
        assert any(
            line.split()[:1] == [name] and "courses" in line
            for line in first.stdout.splitlines()
        ), first.stdout

    # Through the sync engine: one succeeded run per connector, recorded.
    runs = json.loads(_cli("sync-runs", "--json", db_url=db_url).stdout)
    assert sorted((r["source"], r["status"]) for r in runs) == [
        (name, "succeeded") for name in sorted(CONNECTORS)
    ]

    second = _cli("demo", "--no-serve", db_url=db_url)
    assert second.returncode == 0, second.stderr
    assert asyncio.run(_counts(db_url)) == after_one
    # Deterministic: the same groups, by id and by sources, the second time.
    assert asyncio.run(_graph(db_url)) == graph


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
