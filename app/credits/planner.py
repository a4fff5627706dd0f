"""Gap plans: the cheapest set of catalogue courses that makes a learner eligible.

The plan is exact: the allocation program of allocation.py with the learner's gaps
forced to zero and the candidates' cost (notional hours, fee, or the week the last
course ends) as the objective, solved by HiGHS with a zero optimality gap. Before the
solver, candidates the model cannot tell apart (same categories, provider kind, kind,
level band, subjects, credits and semester) are cut to the cheapest few of each kind:
a plan never needs more of one kind than it takes to close every gap with that kind
alone (see `_keep_per_kind`), so the cut keeps the optimum.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from app.credits.admissibility import check_credits
from app.credits.allocation import allocate, build_program
from app.credits.evaluation import Gap, _gap
from app.credits.measure import Item, Measure, items_for, measure, missing
from app.credits.model import Credit, Learner, provider_kind
from app.credits.policy import Policy
from app.credits.requirements import Node, walk

OBJECTIVES = ("hours", "fee", "weeks")


@dataclass(frozen=True)
class CatalogueCourse:
    """A course the learner could still take: one offering of a catalogue course."""

    id: str
    title: str
    provider: str
    credits: float
    hours: float  # notional learning hours
    fee: float  # in `currency` (major units)
    weeks: float
    start: date
    level: float | None = None
    category: str = "elective"
    also_counts_as: tuple[str, ...] = ()
    kind: str = "course"
    subjects: tuple[str, ...] = ()
    issuer_registered: bool = True
    currency: str = "INR"

    def end_week(self, as_of: date) -> float:
        """Weeks from `as_of` until this offering ends."""
        return (self.start - as_of).days / 7 + self.weeks


@dataclass
class Plan:
    feasible: bool
    minimise: str
    courses: list[CatalogueCourse] = field(default_factory=list)
    total_hours: float = 0.0
    total_fee: float = 0.0
    weeks: float = 0.0
    closes: dict[str, list[str]] = field(default_factory=dict)
    # what the learner lacks now, and (when no plan exists) what no plan can close
    gaps: list[Gap] = field(default_factory=list)
    unmet: list[Gap] = field(default_factory=list)
    candidates: int = 0  # catalogue courses left after dates, registration and pruning


def as_credit(course: CatalogueCourse) -> Credit:
    """The credit a course would give once passed (its certificate assumed)."""
    half = "jan" if course.start.month <= 6 else "jul"
    return Credit(
        id=course.id,
        title=course.title,
        credits=course.credits,
        provider=course.provider,
        earned_on=course.start + timedelta(weeks=course.weeks),
        category=course.category,
        level=course.level,
        also_counts_as=course.also_counts_as,
        issuer_registered=course.issuer_registered,
        term=f"planned {course.start.year}-{half}",
        kind=course.kind,
        certificate=True,
        subjects=course.subjects,
        course_ref=course.id,
    )


def _cost(course: CatalogueCourse, minimise: str, as_of: date) -> float:
    if minimise == "fee":
        return course.fee
    if minimise == "weeks":
        return course.end_week(as_of)
    return course.hours


def _usable(course: CatalogueCourse, policy: Policy, as_of: date) -> bool:
    """Offerings that have not started, from issuers whose credits count, at a UG
    level.
    """
    if course.start < as_of or course.credits <= 0:
        return False
    registered = course.issuer_registered or course.provider in policy.get(
        "R-ABC-REG", "recognised"
    )
    level_ok = course.level is None or course.level >= policy.get(
        "NCRF-LEVELS", "ug_min_level"
    )
    return registered and level_ok


def _kind_key(item: Item, tree: Node) -> tuple:
    """What the model can see of a candidate: equal keys have equal columns but the
    cost.
    """
    nodes = walk(tree)
    refs = {n.ref for n in nodes if n.type == "course"}
    levels = sorted(
        {n.where.level_min for n in nodes if n.where.level_min is not None}
        | {n.where.level_max for n in nodes if n.where.level_max is not None}
    )
    subjects = set().union(*(n.where.subjects or () for n in nodes))
    credit = item.credit
    lvl = credit.level or 0.0
    return (
        credit.id if credit.id in refs else None,
        credit.categories,
        item.provider_kind,
        credit.kind,
        tuple(lvl >= x for x in levels) + tuple(lvl <= x for x in levels),
        tuple(sorted(subjects & set(credit.subjects))),
        credit.credits,
        item.group,
    )


def _keep_per_kind(before: Measure) -> tuple[float, float]:
    """Bounds on what a plan must add: credits and courses over every unmet leaf.

    A plan that takes more courses of one kind than it needs to cover all of these
    alone could drop one of them (they are interchangeable) and stay eligible, so only
    that many of the cheapest of each kind can be in an optimal plan.
    """
    credits = courses = 0.0
    for m in _leaves(before):
        if m.met or m.short == math.inf:
            continue
        node = m.node
        if node.type in ("min_courses", "course"):
            courses += m.short
        elif node.type == "min_share":
            credits += m.short
        elif node.type == "min_credits":
            credits += m.short
    return credits, courses


def _leaves(m: Measure) -> list[Measure]:
    return [m] if not m.children else [x for k in m.children for x in _leaves(k)]


def _prune(items: list[Item], tree: Node, before: Measure) -> list[Item]:
    credits_short, courses_short = _keep_per_kind(before)
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        groups[_kind_key(item, tree)].append(item)
    kept: list[Item] = []
    for group in groups.values():
        size = group[0].credit.credits
        keep = (
            math.ceil(credits_short / size - 1e-9) + int(math.ceil(courses_short)) + 1
        )
        group.sort(key=lambda it: (it.cost, it.credit.id))
        kept.extend(group[:keep])
    return kept


def plan(
    credits: Sequence[Credit],
    learner: Learner,
    tree: Node,
    award: str,
    policy: Policy,
    as_of: date,
    catalogue: Sequence[CatalogueCourse],
    minimise: str = "hours",
) -> Plan:
    """The cheapest set of catalogue courses that closes every gap (exact), or why none
    does.
    """
    if minimise not in OBJECTIVES:
        raise ValueError(f"minimise must be one of {OBJECTIVES}")
    held = items_for(check_credits(credits, policy, as_of, award).admitted, learner)
    before = allocate(tree, held, learner, policy).measure
    gaps = [_gap(m) for m in missing(before)]
    if before.met:
        return Plan(True, minimise, gaps=[])
    by_id = {c.id: c for c in catalogue}
    candidates = []
    for course in catalogue:
        if _usable(course, policy, as_of):
            credit = as_credit(course)
            kind = provider_kind(credit, learner.home_institution)
            candidates.append(
                Item(credit, kind, _cost(course, minimise, as_of), credit.semester_key)
            )
    candidates = _prune(candidates, tree, before)
    items = held + candidates
    chosen = _solve(tree, items, learner, policy, minimise)
    if chosen is None:
        return Plan(
            False,
            minimise,
            gaps=gaps,
            unmet=_unmet(tree, items, learner, policy),
            candidates=len(candidates),
        )
    courses = [
        by_id[items[i].credit.id] for i in sorted(chosen) if items[i].cost is not None
    ]
    return Plan(
        feasible=True,
        minimise=minimise,
        courses=courses,
        total_hours=sum(c.hours for c in courses),
        total_fee=sum(c.fee for c in courses),
        weeks=max((c.end_week(as_of) for c in courses), default=0.0),
        closes=_closes(tree, items, chosen, before, learner, policy),
        gaps=gaps,
        candidates=len(candidates),
    )


def _solve(
    tree: Node, items: list[Item], learner: Learner, policy: Policy, minimise: str
) -> dict[int, str] | None:
    program = build_program(
        tree, items, learner, policy, allow_gaps=False, count_held=False
    )
    model = program.model
    if minimise == "weeks":
        # the objective is the week the last course ends: T >= end of every chosen
        # course
        for col in range(model.n_vars):
            model.cost[col] = 0.0
        t = model.var(0, np.inf, False, 1.0)
        for (i, _cat), col in program.y.items():
            if items[i].cost is not None:
                model.row({t: 1.0, col: -items[i].cost}, 0.0, np.inf)
    x = model.solve()
    return None if x is None else program.assignment(x)


def _unmet(
    tree: Node, items: list[Item], learner: Learner, policy: Policy
) -> list[Gap]:
    """With every usable course taken for free, the rules still not met."""
    free = [Item(it.credit, it.provider_kind, None, it.group) for it in items]
    best = allocate(tree, free, learner, policy).measure
    return [_gap(m) for m in missing(best)]


def _closes(
    tree: Node,
    items: list[Item],
    chosen: dict[int, str],
    before: Measure,
    learner: Learner,
    policy: Policy,
) -> dict[str, list[str]]:
    """For each planned course, the rules it serves (those unmet before the plan
    first).
    """
    after = measure(tree, items, chosen, learner, policy)
    unmet = {id(m.node) for m in _leaves(before) if not m.met}
    out: dict[str, list[str]] = {}
    for i in chosen:
        if items[i].cost is None:
            continue
        cid = items[i].credit.id
        serves = [m for m in _leaves(after) if cid in m.used]
        first = [m for m in serves if id(m.node) in unmet] or serves
        out[cid] = list(
            dict.fromkeys(f"{m.node.rule} {m.node.what or m.node.type}" for m in first)
        )
    return out
