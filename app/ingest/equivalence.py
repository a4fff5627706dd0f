"""Cross-provider course identity: one equivalence group per course seen twice.

The same course reaches us through several sources: an NPTEL course on SWAYAM
and on NPTEL's own semester list, a course a CTDL document describes and a
catalogue also lists. The matcher links two courses of *different sources*
when

1. a stable identifier one names is the other's (a course key, a run slug
   such as `noc20_ma39`, a CTID, a URL), taken from `Course.identifiers`,
   `Course.external_id` and the course's offerings' ids; an identifier that
   names two courses of one source says nothing and is ignored; or else
2. normalised title + institution + coordinator are equal (all three; a
   course without a title or an institution is never matched this way).

Linked courses form groups (transitively). Every course put into a group
records why, in `Course.equivalence_reason` and an `EquivalenceDecision`
(`matched` by the matcher; `joined`/`split` by an operator). An operator's
group is `pinned`: the matcher never moves a course into, out of or between
pinned groups, so later syncs keep those decisions.

`match_all()` re-matches the whole catalogue (one read of the live courses,
writes only for what moved); `register_hook()` makes it run after every sync
that changed courses.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from app.db.models.catalogue import (
    Course,
    EquivalenceDecision,
    EquivalenceGroup,
    Offering,
)
from app.ingest import hooks
from app.ingest.backend import write_transaction
from app.ingest.upsert import in_clause

MATCHER = "matcher"
_CHUNK = 1000  # rows a write transaction (short: SQLite has one writer)
_SET_GROUP = (
    'UPDATE "course" SET "equivalence_group_id" = ?, "equivalence_reason" = ? '
    'WHERE "id" = ?'
)
_DECIDE = (
    'INSERT INTO "equivalence_decision" '
    '("group_id", "course_id", "action", "reason", "actor", "created_at") '
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_NO_LONGER = "no longer matches any course of another source"
_URL_SCHEME = re.compile(r"^https?://(www\.)?")


class EquivalenceError(Exception):
    """An operator's request cannot be done (unknown course, nothing to split)."""


def normalise(text: str | None) -> str:
    """Whitespace collapsed (NBSP included), casefolded: SWAYAM's rule."""
    return " ".join((text or "").split()).casefold()


def identifier_key(value: str) -> str:
    """URLs compare without scheme, `www.` or a trailing slash; the rest casefolded."""
    text = value.strip().casefold()
    return _URL_SCHEME.sub("", text).rstrip("/")


@dataclass
class Candidate:
    id: int
    source: str
    own: set[str]  # identifiers that name this course
    mentions: set[str]  # identifiers it says name it elsewhere
    title_key: str | None
    group_id: int | None


@dataclass
class Report:
    courses: int = 0
    groups: int = 0
    matched: int = 0  # courses put into a group (or moved) this time
    unmatched: int = 0  # courses taken out of a group they no longer match
    pinned_skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


class _Links:
    """Union-find over course ids, remembering the first reason each joined."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.why: dict[int, str] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def link(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.parent[max(ra, rb)] = min(ra, rb)
        for course in (a, b):
            self.why.setdefault(course, reason)


def _title_key(
    title: str, institute: str | None, coordinator: str | None
) -> str | None:
    if not normalise(title) or not normalise(institute):
        return None
    return f"{normalise(title)}|{normalise(institute)}|{normalise(coordinator)}"


async def _candidates() -> tuple[list[Candidate], set[int]]:
    """Live courses outside pinned groups, and the ids of those inside them."""
    pinned = set(
        await EquivalenceGroup.filter(pinned=True).values_list("id", flat=True)
    )
    rows = await Course.filter(withdrawn=False).values(
        "id", "source", "external_id", "title", "institute", "coordinator",
        "identifiers", "equivalence_group_id",
    )  # fmt: skip
    runs: dict[int, set[str]] = defaultdict(set)
    for course_id, external_id in await Offering.filter(withdrawn=False).values_list(
        "course_id", "external_id"
    ):
        runs[course_id].add(identifier_key(external_id))
    out, held = [], set()
    for row in rows:
        if row["equivalence_group_id"] in pinned:
            held.add(row["id"])
            continue
        own = {identifier_key(row["external_id"])} | runs.get(row["id"], set())
        mentions = {
            identifier_key(i) for i in row["identifiers"] or () if isinstance(i, str)
        }
        out.append(
            Candidate(
                id=row["id"],
                source=row["source"] or "",
                own=own,
                mentions=mentions - own,
                title_key=_title_key(
                    row["title"], row["institute"], row["coordinator"]
                ),
                group_id=row["equivalence_group_id"],
            )
        )
    out.sort(key=lambda c: c.id)
    return out, held


def link_candidates(candidates: Sequence[Candidate]) -> _Links:
    """Pure: which courses are the same, and why (identifiers first)."""
    links = _Links()
    # identifier -> source -> courses; an identifier two courses of one source
    # share is ambiguous there.
    named: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for c in candidates:
        for key in c.own | c.mentions:
            named[key][c.source].add(c.id)
    for key in sorted(named):
        by_source = named[key]
        if len(by_source) < 2 or any(len(ids) > 1 for ids in by_source.values()):
            continue
        ids = sorted(next(iter(ids)) for ids in by_source.values())
        for other in ids[1:]:
            links.link(ids[0], other, f"identifier {key!r}")
    titled: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for c in candidates:
        if c.title_key:
            titled[c.title_key][c.source].append(c.id)
    for key in sorted(titled):
        by_source = titled[key]
        if len(by_source) < 2:
            continue
        ids = sorted(min(ids) for ids in by_source.values())
        for other in ids[1:]:
            links.link(ids[0], other, f"title + institution + coordinator {key!r}")
    return links


async def match_all() -> Report:
    """Re-match every live course outside pinned groups; returns what moved.

    Writes are batched (`executemany`, a thousand rows a short transaction):
    a first match of tens of thousands of courses moves them all.
    """
    candidates, held = await _candidates()
    report = Report(courses=len(candidates), pinned_skipped=len(held))
    links = link_candidates(candidates)
    by_id = {c.id: c for c in candidates}
    components: dict[int, list[int]] = defaultdict(list)
    for c in candidates:
        components[links.find(c.id)].append(c.id)
    # (members, the group most of them are in already or None, a new key)
    plans: list[tuple[list[int], int | None, str]] = []
    for members in components.values():
        if len(members) < 2:
            continue
        current = Counter(
            by_id[m].group_id for m in members if by_id[m].group_id is not None
        )
        best = min(current, key=lambda g: (-current[g], g)) if current else None
        plans.append((members, best, f"auto-{min(members)}"))
    report.groups = len(plans)
    created = await _create_groups([key for _, best, key in plans if best is None])
    moves: list[tuple[int, int, str]] = []  # (course, group, reason)
    placed: set[int] = set()
    for members, best, key in plans:
        group_id = best if best is not None else created[key]
        for course_id in members:
            placed.add(course_id)
            if by_id[course_id].group_id != group_id:
                reason = links.why.get(course_id, "matched")
                moves.append((course_id, group_id, reason))
                report.reasons[reason.split(" ", 1)[0]] += 1
    gone = [
        (c.id, c.group_id)
        for c in candidates
        if c.group_id is not None and c.id not in placed
    ]
    report.matched, report.unmatched = len(moves), len(gone)
    now = datetime.now(UTC)
    for start in range(0, max(len(moves), len(gone)), _CHUNK):
        moved = moves[start : start + _CHUNK]
        out = gone[start : start + _CHUNK]
        async with write_transaction() as tx:
            await tx.executemany(_SET_GROUP, [(g, r[:255], c) for c, g, r in moved])
            await tx.executemany(
                _DECIDE,
                [(g, c, "matched", r[:512], MATCHER, now) for c, g, r in moved],
            )
            await tx.executemany(_SET_GROUP, [(None, None, c) for c, _ in out])
            await tx.executemany(
                _DECIDE,
                [(g, c, "unmatched", _NO_LONGER, MATCHER, now) for c, g in out],
            )
    return report


async def _create_groups(keys: list[str]) -> dict[str, int]:
    """Ids of the groups with these keys, created (unpinned) where missing."""
    ids: dict[str, int] = {}
    now = datetime.now(UTC)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        async with write_transaction() as tx:
            await tx.executemany(
                'INSERT INTO "equivalence_group" ("key", "pinned", "created_at") '
                'VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING',
                [(key, False, now) for key in chunk],
            )
            where, params = in_clause(tx, '"key"', chunk)
            for group_id, key in await tx.fetch(
                f'SELECT "id", "key" FROM "equivalence_group" WHERE {where}', params
            ):
                ids[key] = group_id
    return ids


async def _place(
    course_id: int, group: EquivalenceGroup, action: str, reason: str, actor: str
) -> None:
    await Course.filter(id=course_id).update(
        equivalence_group_id=group.id, equivalence_reason=reason[:255]
    )
    await EquivalenceDecision.create(
        group_id=group.id,
        course_id=course_id,
        action=action,
        reason=reason[:512],
        actor=actor[:128],
    )


async def join(course_ids: Iterable[int], actor: str, note: str | None = None) -> int:
    """An operator says these courses are one course: a pinned group of them.

    The group is the first of them that already has one (so its other members
    stay), else a new one. Returns the group id.
    """
    ids = list(dict.fromkeys(course_ids))
    if len(ids) < 2:
        raise EquivalenceError("join needs at least two courses")
    courses = await Course.filter(id__in=ids).values("id", "equivalence_group_id")
    missing = set(ids) - {c["id"] for c in courses}
    if missing:
        raise EquivalenceError(f"no course with id {sorted(missing)}")
    async with in_transaction():
        order = {course_id: n for n, course_id in enumerate(ids)}
        grouped = [
            c["equivalence_group_id"]
            for c in sorted(courses, key=lambda c: order[c["id"]])
            if c["equivalence_group_id"]
        ]
        existing = grouped[0] if grouped else None
        if existing is None:
            group = await EquivalenceGroup.create(key=f"manual-{min(ids)}", pinned=True)
        else:
            group = await EquivalenceGroup.get(id=existing)
            group.pinned = True
            await group.save(update_fields=["pinned"])
        reason = note or f"joined by {actor}"
        for course in courses:
            if course["equivalence_group_id"] != group.id:
                await _place(course["id"], group, "joined", reason, actor)
    return group.id


async def split(course_id: int, actor: str, note: str | None = None) -> int:
    """An operator says this course is not the others: it leaves its group for
    a pinned group of its own (so no later match brings it back). Returns that
    group's id."""
    course = await Course.get_or_none(id=course_id)
    if course is None:
        raise EquivalenceError(f"no course with id {course_id}")
    old = course.equivalence_group_id  # type: ignore[attr-defined]
    if old is None:
        raise EquivalenceError(f"course {course_id} is in no group")
    async with in_transaction():
        group, _ = await EquivalenceGroup.get_or_create(
            key=f"split-{course_id}", defaults={"pinned": True}
        )
        if not group.pinned:
            group.pinned = True
            await group.save(update_fields=["pinned"])
        reason = note or f"split from group {old} by {actor}"
        await _place(course_id, group, "split", reason, actor)
    return group.id


async def _after_sync(changes: hooks.RunChanges) -> None:
    if changes.status == "succeeded" and (
        changes.changed_courses or changes.withdrawn_courses
    ):
        await match_all()


def register_hook() -> None:
    """Re-match after every sync that changed courses (idempotent).

    Called by whoever runs syncs (the CLI, the worker, the demo), not on
    import: importing this module must not change what other runs do.
    """
    hooks.after_run(_after_sync)


def unregister_hook() -> None:
    hooks.remove(_after_sync)
