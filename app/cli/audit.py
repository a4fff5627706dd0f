"""`credgraph audit` and `credgraph plan`: the credit engine on a learner file.

Both read the AUDIT.md input file and need no database for the audit; `plan` takes
its catalogue from a JSON file (`--catalogue-file`). Exit codes: audit 0 eligible,
1 not eligible; plan 0 a plan, 1 no plan; 2 for bad input (nothing on stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
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
from app.credits.planner import OBJECTIVES, plan

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
        help="the catalogue database (not wired yet: use --catalogue-file)",
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
    if args.catalogue_file is None:
        raise UsageError(
            "the database catalogue loader is not wired yet: pass --catalogue-file"
        )
    try:
        catalogue = load_catalogue(args.catalogue_file)
    except InputError as exc:
        raise UsageError(str(exc)) from exc
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
