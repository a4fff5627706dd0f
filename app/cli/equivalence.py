"""`credgraph equivalence list|show|match|join|split`: inspect and correct groups.

An operator's `join` and `split` pin the groups they touch; the matcher (run
after every sync, or here with `match`) never undoes them. A course is named
by its id or by `PROVIDER:EXTERNAL_ID`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
from collections.abc import Awaitable, Callable
from typing import Any

from app.cli import UsageError
from app.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "equivalence",
        help="courses that are the same course across providers",
        description="List, inspect and correct equivalence groups (the same "
        "course seen through two sources). join/split are kept by later syncs.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", help="groups with their courses' count")
    listing.add_argument("--pinned", action="store_true", help="only pinned groups")
    listing.add_argument("--limit", type=int, default=50, help="how many (50)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=_list)

    show = actions.add_parser("show", help="a group's courses and decisions")
    show.add_argument("group", type=int, help="group id")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)

    match = actions.add_parser("match", help="re-match every course now")
    match.add_argument("--json", action="store_true", help="print JSON")
    match.set_defaults(func=_match)

    join = actions.add_parser("join", help="these courses are one course (pins)")
    join.add_argument("courses", nargs="+", help="course ids or PROVIDER:EXTERNAL_ID")
    join.add_argument("--note", help="why (kept in the decision)")
    join.add_argument("--json", action="store_true", help="print JSON")
    join.set_defaults(func=_join)

    split = actions.add_parser("split", help="this course is not its group (pins)")
    split.add_argument("course", help="course id or PROVIDER:EXTERNAL_ID")
    split.add_argument("--note", help="why (kept in the decision)")
    split.add_argument("--json", action="store_true", help="print JSON")
    split.set_defaults(func=_split)


def _run(work: Callable[[], Awaitable[Any]]) -> Any:
    from app.db.connection import open_database
    from app.db.migrate import NotMigratedError, ensure_migrated

    async def main() -> Any:
        async with open_database(get_settings().database_url):
            await ensure_migrated()
            return await work()

    try:
        return asyncio.run(main())
    except NotMigratedError as exc:
        raise UsageError(str(exc)) from exc


def _print(doc: Any, as_json: bool, text: str) -> int:
    print(json.dumps(doc, indent=2, default=str) if as_json else text)
    return 0


async def _course_id(ref: str) -> int:
    from app.db.models.catalogue import Course

    if ref.isdigit():
        return int(ref)
    provider, sep, external = ref.partition(":")
    if not sep:
        raise UsageError(f"{ref!r}: a course id or PROVIDER:EXTERNAL_ID")
    course = await Course.get_or_none(provider__slug=provider, external_id=external)
    if course is None:
        raise UsageError(f"no course {ref!r}")
    return course.id


def _list(args: argparse.Namespace) -> int:
    async def work() -> list[dict[str, Any]]:
        from app.db.models.catalogue import Course, EquivalenceGroup

        query = EquivalenceGroup.all().order_by("id").limit(args.limit)
        if args.pinned:
            query = query.filter(pinned=True)
        groups = await query
        out = []
        for group in groups:
            courses = await Course.filter(equivalence_group_id=group.id).values(
                "id", "title", "source"
            )
            if not courses:
                continue
            out.append(
                {
                    "group": group.id,
                    "key": group.key,
                    "pinned": group.pinned,
                    "courses": len(courses),
                    "sources": sorted({c["source"] or "" for c in courses}),
                    "title": courses[0]["title"],
                }
            )
        return out

    docs = _run(work)
    lines = [
        f"{d['group']:>6} {'pinned ' if d['pinned'] else ''}{d['courses']} courses "
        f"({', '.join(d['sources'])}): {d['title']}"
        for d in docs
    ]
    return _print(docs, args.json, "\n".join(lines) or "no equivalence groups")


def _show(args: argparse.Namespace) -> int:
    async def work() -> dict[str, Any]:
        from app.db.models.catalogue import (
            Course,
            EquivalenceDecision,
            EquivalenceGroup,
        )

        group = await EquivalenceGroup.get_or_none(id=args.group)
        if group is None:
            raise UsageError(f"no equivalence group {args.group}")
        courses = await Course.filter(equivalence_group_id=group.id).values(
            "id", "provider__slug", "external_id", "title", "institute", "source",
            "equivalence_reason",
        )  # fmt: skip
        decisions = (
            await EquivalenceDecision.filter(group_id=group.id)
            .order_by("id")
            .values("course_id", "action", "reason", "actor", "created_at")
        )
        return {
            "group": group.id,
            "key": group.key,
            "pinned": group.pinned,
            "courses": courses,
            "decisions": decisions,
        }

    doc = _run(work)
    lines = [f"group {doc['group']} ({doc['key']}){' pinned' if doc['pinned'] else ''}"]
    for c in doc["courses"]:
        lines.append(
            f"  course {c['id']} [{c['source']}] {c['provider__slug']}:"
            f"{c['external_id']}: {c['title']} ({c['institute'] or '-'})"
            f"\n    why: {c['equivalence_reason']}"
        )
    lines.append("  decisions:")
    for d in doc["decisions"]:
        lines.append(
            f"    {d['created_at']} {d['action']} course {d['course_id']} "
            f"by {d['actor']}: {d['reason']}"
        )
    return _print(doc, args.json, "\n".join(lines))


def _match(args: argparse.Namespace) -> int:
    async def work() -> dict[str, Any]:
        from app.ingest.equivalence import match_all

        report = await match_all()
        return {
            "courses": report.courses,
            "groups": report.groups,
            "matched": report.matched,
            "unmatched": report.unmatched,
            "pinned_skipped": report.pinned_skipped,
            "reasons": dict(report.reasons),
        }

    doc = _run(work)
    text = (
        f"{doc['groups']} groups over {doc['courses']} courses: {doc['matched']} "
        f"placed, {doc['unmatched']} taken out, {doc['pinned_skipped']} in pinned "
        "groups left alone"
    )
    return _print(doc, args.json, text)


def _actor() -> str:
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator"


def _join(args: argparse.Namespace) -> int:
    async def work() -> int:
        from app.ingest.equivalence import EquivalenceError, join

        ids = [await _course_id(ref) for ref in args.courses]
        try:
            return await join(ids, _actor(), args.note)
        except EquivalenceError as exc:
            raise UsageError(str(exc)) from exc

    group = _run(work)
    return _print({"group": group}, args.json, f"joined into pinned group {group}")


def _split(args: argparse.Namespace) -> int:
    async def work() -> int:
        from app.ingest.equivalence import EquivalenceError, split

        course_id = await _course_id(args.course)
        try:
            return await split(course_id, _actor(), args.note)
        except EquivalenceError as exc:
            raise UsageError(str(exc)) from exc

    group = _run(work)
    return _print({"group": group}, args.json, f"split into pinned group {group}")
