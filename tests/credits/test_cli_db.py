"""`credgraph plan` reading its catalogue from the database (SQLite here)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main

from .test_cli import _eligible, _file


async def _seed(url: str) -> None:
    from app.db.connection import open_database
    from app.db.migrate import apply_migrations
    from app.db.models.catalogue import Course, Offering, Provider

    await apply_migrations(url)
    async with open_database(url):
        home = await Provider.create(slug="home", name="Home", abc_registered=True)
        rogue = await Provider.create(slug="rogue", name="Rogue", abc_registered=False)
        for ext, provider, credits, hours, start, withdrawn in (
            ("cheap", home, 4, 100, date(2025, 9, 1), False),
            ("dear", home, 4, 150, date(2025, 9, 1), False),
            ("started", home, 4, 10, date(2025, 7, 1), False),
            ("gone", home, 4, 20, date(2025, 9, 1), True),
            ("unregistered", rogue, 4, 30, date(2025, 9, 1), False),
        ):
            course = await Course.create(
                provider=provider,
                external_id=ext,
                title=ext,
                credits=credits,
                notional_hours=hours,
                ncrf_level=4.5,
                weeks=12,
                withdrawn=withdrawn,
            )
            await Offering.create(
                course=course,
                provider=provider,
                external_id=f"{ext}-run",
                start=start,
                fee_minor=50_000,
                currency="INR",
            )


def test_plan_reads_the_catalogue_from_the_database(tmp_path: Path, capsys) -> None:
    url = f"sqlite://{tmp_path / 'catalogue.db'}"
    asyncio.run(_seed(url))
    data = _eligible()
    data["credits"] = data["credits"][1:]  # 4 credits short of the 40
    with pytest.raises(SystemExit) as info:
        main(["plan", _file(tmp_path, data), "--catalogue", url])
    out = json.loads(capsys.readouterr().out)
    assert info.value.code == 0 and out["feasible"]
    assert [c["title"] for c in out["courses"]] == ["cheap"]
    assert out["courses"][0]["fee"] == 500 and out["total_hours"] == 100


def test_plan_without_catalogue_tables_is_a_usage_error(tmp_path: Path, capsys) -> None:
    url = f"sqlite://{tmp_path / 'empty.db'}"
    with pytest.raises(SystemExit) as info:
        main(["plan", _file(tmp_path, _eligible()), "--catalogue", url])
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == "" and "credgraph migrate" in err
