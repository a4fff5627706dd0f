"""`credgraph audit` and `credgraph plan`: the credit engine on a learner file.

Both read the AUDIT.md input file. The audit needs no database; `plan` takes its
catalogue from the database (`--catalogue`, default DATABASE_URL) or from a JSON file
(`--catalogue-file`). Exit codes: audit 0 eligible, 1 not eligible; plan 0 a plan,
1 no plan; 2 for bad input (nothing on stdout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from app.cli import UsageError
from app.credits.audit_io import (
    INPUT_SCHEMA,
    AuditRequest,
    load_request,
    result_to_json,
    result_to_text,
)
from app.credits.awards import AWARDS
from app.credits.catalogue_io import load_catalogue, plan_to_json
from app.credits.errors import InputError
from app.credits.evaluation import closest_award, evaluate
from app.credits.planner import OBJECTIVES, CatalogueCourse, plan
from app.settings import get_settings

EXIT_OK = 0
EXIT_NOT_MET = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser(
        "audit",
        help="check one learner record against one award (AUDIT.md)",
        description="Evaluate a learner record (JSON, see AUDIT.md) against an award "
        "under a policy. Exit 0 eligible, 1 not eligible, 2 malformed input.",
    )
    audit.add_argument("file", nargs="?", type=Path, help="the audit input JSON file")
    audit.add_argument("--format", choices=("json", "text"), default="json")
    audit.add_argument(
        "--schema",
        action="store_true",
        help="print the JSON Schema of the input and exit",
    )
    audit.set_defaults(func=run_audit)

    planner = subparsers.add_parser(
        "plan",
        help="the cheapest catalogue courses that close a learner's gaps",
        description="Read the same input as `audit` and print a gap plan as JSON. "
        "Exit 0 with a plan, 1 when no plan exists, 2 for bad input.",
    )
    planner.add_argument("file", type=Path, help="the audit input JSON file")
    planner.add_argument(
        "--catalogue",
        metavar="DATABASE_URL",
        help="the catalogue database (default: DATABASE_URL)",
    )
    planner.add_argument(
        "--catalogue-file",
        type=Path,
        help="a JSON list of candidate courses (id, title, provider, credits, hours, "
        "fee, weeks, start, level, category…)",
    )
    planner.add_argument("--minimise", choices=OBJECTIVES, default="hours")
    planner.set_defaults(func=run_plan)


def _request(path: Path | None) -> AuditRequest:
    if path is None:
        raise UsageError("a FILE.json is required (or --schema)")
    try:
        return load_request(path)
    except InputError as exc:
        raise UsageError(str(exc)) from exc


def run_audit(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(INPUT_SCHEMA, indent=2))
        return EXIT_OK
    req = _request(args.file)
    result = evaluate(
        req.credits, req.learner, req.tree, req.award, req.policy, req.as_of
    )
    if args.format == "text":
        sys.stdout.write(result_to_text(result))
    else:
        nearest = None
        if req.award in AWARDS:
            nearest = closest_award(req.credits, req.learner, req.policy, req.as_of)
        print(json.dumps(result_to_json(result, nearest), indent=2))
    return EXIT_OK if result.eligible else EXIT_NOT_MET


def run_plan(args: argparse.Namespace) -> int:
    req = _request(args.file)
    if args.catalogue_file is not None:
        try:
            catalogue = load_catalogue(args.catalogue_file)
        except InputError as exc:
            raise UsageError(str(exc)) from exc
    else:
        url = args.catalogue or get_settings().database_url
        try:
            catalogue = asyncio.run(load_catalogue_from_db(url, req.as_of))
        except (OSError, ConnectionError) as exc:
            raise UsageError(f"cannot read the catalogue from {url}: {exc}") from exc
    result = plan(
        req.credits,
        req.learner,
        req.tree,
        req.award,
        req.policy,
        req.as_of,
        catalogue,
        args.minimise,
    )
    print(json.dumps(plan_to_json(result, req.award), indent=2))
    return EXIT_OK if result.feasible else EXIT_NOT_MET


# NCRF-HOURS: a course with credits but no stated hours is read as 30 h a credit.
_HOURS_PER_CREDIT = 30.0


async def load_catalogue_from_db(url: str, as_of: date) -> list[CatalogueCourse]:
    """Offerings not yet started of courses with a credit value, as plan candidates.

    The catalogue knows no programme categories, so every course is an elective for
    the plan (it fills credit totals, not category minimums). Fees are in minor
    units in the database and in major units in a plan.
    """
    from tortoise.exceptions import BaseORMException

    from app.db.connection import open_database
    from app.db.models.catalogue import Offering

    try:
        async with open_database(url):
            rows = await _offerings(Offering, as_of)
    except BaseORMException as exc:
        raise UsageError(
            f"cannot read the catalogue from the database: {exc} "
            "(has `credgraph migrate` run?)"
        ) from exc
    return [_candidate(row) for row in rows if float(row["course__credits"]) > 0]


async def _offerings(Offering, as_of: date) -> list[dict]:  # noqa: ANN001, N803
    return await Offering.filter(
        withdrawn=False,
        course__withdrawn=False,
        course__credits__not_isnull=True,
        start__gte=as_of,
    ).values(
        "id",
        "start",
        "fee_minor",
        "currency",
        "course_id",
        "course__title",
        "course__credits",
        "course__notional_hours",
        "course__weeks",
        "course__ncrf_level",
        "course__subjects",
        "provider__slug",
        "provider__abc_registered",
        "provider__swayam",
    )


def _candidate(row: dict) -> CatalogueCourse:
    credits = float(row["course__credits"])
    hours = row["course__notional_hours"] or credits * _HOURS_PER_CREDIT
    subjects = row["course__subjects"] or []
    return CatalogueCourse(
        id=f"course-{row['course_id']}/offering-{row['id']}",
        title=row["course__title"],
        # a SWAYAM coordinator's courses are SWAYAM courses (R-SWAYAM-CAP, -CERT)
        provider="swayam" if row["provider__swayam"] else row["provider__slug"],
        credits=credits,
        hours=float(hours),
        fee=(row["fee_minor"] or 0) / 100,
        weeks=float(row["course__weeks"] or 0),
        start=row["start"],
        level=row["course__ncrf_level"],
        subjects=tuple(s for s in subjects if isinstance(s, str)),
        issuer_registered=bool(row["provider__abc_registered"]),
        currency=row["currency"] or "INR",
    )
