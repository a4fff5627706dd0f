"""Gap plans: the cheapest set of catalogue courses that makes a learner eligible.

The plan is the allocation program of allocation.py with the learner's gaps forced
to zero and the candidates' cost as the objective (notional hours or fee), solved by
HiGHS with a zero optimality gap. By weeks, the plan first finds the earliest week
by which any plan can end (a binary search; feasibility only grows with the week),
then the fewest hours among courses ending by then.

Before the solver, candidates.py groups the catalogue into kinds of course the
program cannot tell apart (one integer item each, cheapest first) and cuts each kind
to what an optimal plan can use; a cheap first plan (greedy, or exact without helper
courses) bounds every kind by its cost. Ties go to fewer courses (a tiny cost per
course), so free courses are not added for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.credits.admissibility import check_credits
from app.credits.allocation import allocate, build_program
from app.credits.candidates import greedy_plan, leaves, select, to_credit
from app.credits.evaluation import Gap, gap_of
from app.credits.measure import Item, Measure, items_for, measure, missing
from app.credits.model import Credit, Learner
from app.credits.policy import Policy
from app.credits.requirements import Node

OBJECTIVES = ("hours", "fee", "weeks")
# A cost per course far below any real difference in hours, fees or weeks.
_PER_COURSE = 1e-4


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
    return to_credit(course)


def _cost(course: CatalogueCourse, minimise: str, as_of: date) -> float:
    if minimise == "fee":
        return course.fee
    if minimise == "weeks":
        return course.end_week(as_of)
    return course.hours


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
    current = allocate(tree, held, learner, policy)
    before = current.measure
    unmet_now = missing(before)
    gaps = [gap_of(m) for m in unmet_now]
    if before.met:
        return Plan(True, minimise, gaps=[])
    objective = "hours" if minimise == "weeks" else minimise
    grouped = select(
        catalogue,
        tree,
        before,
        held,
        current.assigned,
        learner.home_institution,
        policy,
        as_of,
        lambda c: _cost(c, objective, as_of),
    )
    targets = [m.node for m in unmet_now]
    max_end = None
    if minimise == "weeks":
        # the earliest week by which some plan can be done (feasibility only grows
        # with the week), then the fewest hours among courses ending by then
        max_end = _earliest_end(tree, held, grouped, learner, policy, targets)
    # Any plan bounds the optimum: no optimal plan takes from a kind more than that
    # plan costs, which cuts the exact program down. A greedy plan of home courses
    # is cheap to find; failing that, an exact plan without helper courses.
    first = greedy_plan(grouped, held, tree, learner, policy, targets, max_end)
    if first is None:
        kinds = grouped.cut(helpers=False, max_end=max_end)
        counts = _solve(tree, held + [k.item for k in kinds], learner, policy)
        if counts is not None:
            first = [c for _, c in _expand(held, kinds, counts)[1]]
    if first is not None:
        upper = sum(_cost(c, objective, as_of) for c in first)
        kinds = grouped.cut(upper=upper, max_end=max_end)
    else:
        kinds = grouped.cut(max_end=max_end)
    candidates = sum(len(k.courses) for k in kinds)
    items = held + [k.item for k in kinds]
    counts = _solve(tree, items, learner, policy)
    if counts is None:
        unmet = _unmet(tree, items, learner, policy)
        return Plan(False, minimise, gaps=gaps, unmet=unmet, candidates=candidates)
    final, courses = _expand(held, kinds, counts)
    chosen = {i: cat for i, cat in enumerate(final) if cat is not None}
    final_items = held + [
        Item(to_credit(c), kinds[k].item.provider_kind, (0.0,), kinds[k].item.group)
        for k, c in courses
    ]
    return Plan(
        feasible=True,
        minimise=minimise,
        courses=[c for _, c in courses],
        total_hours=sum(c.hours for _, c in courses),
        total_fee=sum(c.fee for _, c in courses),
        weeks=max((c.end_week(as_of) for _, c in courses), default=0.0),
        closes=_closes(tree, final_items, chosen, before, learner, policy),
        gaps=gaps,
        candidates=candidates,
    )


def _expand(
    held: list[Item], kinds: list, counts: dict[tuple[int, str], int]
) -> tuple[list[str | None], list[tuple[int, CatalogueCourse]]]:
    """Which category each held credit and each planned course counts as."""
    final: list[str | None] = [None] * len(held)
    for (i, cat), n in counts.items():
        if i < len(held) and n:
            final[i] = cat
    courses: list[tuple[int, CatalogueCourse]] = []
    for k, kind in enumerate(kinds):
        taken = 0
        for cat in kind.item.options:
            n = counts.get((len(held) + k, cat), 0)
            for course in kind.courses[taken : taken + n]:
                courses.append((k, course))
                final.append(cat)
            taken += n
    return final, courses


def _solve(
    tree: Node, items: list[Item], learner: Learner, policy: Policy
) -> dict[tuple[int, str], int] | None:
    """The cheapest counts of candidates that close every gap (None: impossible)."""
    program = build_program(
        tree, items, learner, policy, allow_gaps=False, count_held=False
    )
    for (i, _cat), col in program.y.items():
        if items[i].costs:
            # ties go to fewer courses, so a free course is never added for nothing
            program.model.cost[col] += _PER_COURSE
    x = program.model.solve()
    return None if x is None else program.counts(x)


def _feasible(tree: Node, items: list[Item], learner: Learner, policy: Policy) -> bool:
    program = build_program(
        tree,
        items,
        learner,
        policy,
        allow_gaps=False,
        count_held=False,
        free_candidates=True,
    )
    return program.model.solve() is not None


def _earliest_end(
    tree: Node,
    held: list[Item],
    grouped,  # noqa: ANN001
    learner: Learner,
    policy: Policy,
    targets: list[Node],
) -> float | None:
    """Binary search over the weeks courses end: the first by which a plan exists.
    A greedy plan that works proves a week feasible without the solver."""
    ends = grouped.ends()

    def ok(week: float) -> bool:
        if greedy_plan(grouped, held, tree, learner, policy, targets, week):
            return True
        kinds = grouped.cut(max_end=week)
        return _feasible(tree, held + [k.item for k in kinds], learner, policy)

    if not ends or not ok(ends[-1]):
        return None
    lo, hi = 0, len(ends) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(ends[mid]):
            hi = mid
        else:
            lo = mid + 1
    return ends[lo]


def _unmet(
    tree: Node, items: list[Item], learner: Learner, policy: Policy
) -> list[Gap]:
    """With every usable course taken for free, the rules still not met."""
    program = build_program(tree, items, learner, policy, free_candidates=True)
    x = program.model.solve()
    if x is None:
        return []
    out = []
    for col, node in zip(program.gaps, program.gap_nodes, strict=True):
        short = float(x[col])
        if short > 1e-6:
            required = 1.0 if node.type == "course" else node.n or node.limit
            what = node.what or node.type
            out.append(
                Gap(node.rule, what, required, max(0.0, required - short), short)
            )
    return out


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
    unmet = {id(m.node) for m in leaves(before) if not m.met}
    out: dict[str, list[str]] = {}
    for i in chosen:
        if items[i].cost is None:
            continue
        cid = items[i].credit.id
        serves = [m for m in leaves(after) if cid in m.used]
        first = [m for m in serves if id(m.node) in unmet] or serves
        out[cid] = list(
            dict.fromkeys(f"{m.node.rule} {m.node.what or m.node.type}" for m in first)
        )
    return out
