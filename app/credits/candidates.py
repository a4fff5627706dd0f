"""Cutting a catalogue down to the candidates an exact gap plan can need.

Two courses the plan's program cannot tell apart (same categories as far as the
unmet rules care, same provider kind, semester, credits, and the same part in every
cap and share) are interchangeable, so an optimal plan only ever uses the cheapest
of each kind. How many of a kind it can use is bounded:

- a kind that fills unmet rules: enough to close those rules with that kind alone
  (one more would be removable, and costs are not negative);
- a kind that fills no unmet rule only matters as a helper for a cap or a share (a
  home course that lifts residency, a non-SWAYAM course that makes room under the
  SWAYAM cap): as many as the most the useful picks could strain that constraint;
- a kind that neither fills nor helps is dropped.

`tests/credits/test_planner.py` checks the cut against the uncut program.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.credits.measure import Item, Measure, matches, share_divisor
from app.credits.model import EXTERNAL, HOME, SWAYAM, Credit
from app.credits.policy import Policy
from app.credits.requirements import Node, walk

FILL_TYPES = ("min_credits", "min_courses", "course", "min_share")


def leaves(m: Measure) -> list[Measure]:
    return [m] if not m.children else [x for k in m.children for x in leaves(k)]


def group_of(start: date) -> str:
    """The semester a planned course falls in (R-SWAYAM-SEM: January and July runs)."""
    return f"planned {start.year}-{'jan' if start.month <= 6 else 'jul'}"


def to_credit(course) -> Credit:  # noqa: ANN001 - a planner.CatalogueCourse
    """The credit a catalogue course would give once passed (certificate assumed)."""
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
        term=group_of(course.start),
        kind=course.kind,
        certificate=True,
        subjects=course.subjects,
        course_ref=course.id,
    )


@dataclass
class _Needs:
    """What the unmet rules need, per leaf, and which leaves count."""

    useful: list[Node]
    short: list[float]  # credits or courses still needed per useful leaf
    constraints: list[Node]  # caps and shares (where helpers matter)
    # held credits a cap or share leaves uncounted now: helpers may let them count
    dropped: float = 0.0


def _needs(tree: Node, before: Measure, held: Sequence[Item], assigned: dict) -> _Needs:
    unmet = [m for m in leaves(before) if not m.met and m.node.type in FILL_TYPES]
    useful = [m.node for m in unmet]
    short = [m.short for m in unmet]
    # a held credit that may move into an unmet rule leaves a gap where it was: a
    # course filling that gap is useful too (the allocator moves the held credit)
    unmet_nodes = {id(n) for n in useful}
    for m in leaves(before):
        if m.met and m.node.type in ("min_credits", "min_courses"):
            movable = 0.0
            for i, cat in assigned.items():
                it = held[i]
                if len(it.options) > 1 and matches(m.node.where, it, cat):
                    if any(
                        matches(n.where, it, o)
                        for n in useful
                        if id(n) in unmet_nodes
                        for o in it.options
                    ):
                        movable += (
                            1.0 if m.node.type == "min_courses" else it.credit.credits
                        )
            if movable:
                useful.append(m.node)
                short.append(movable)
    constraints = [n for n in walk(tree) if n.type in ("max_share", "min_share")]
    dropped = sum(it.credit.credits for i, it in enumerate(held) if i not in assigned)
    return _Needs(useful, short, constraints, dropped)


def _provider_kind(provider: str, home: str) -> str:
    if provider == home:
        return HOME
    return SWAYAM if provider == SWAYAM else EXTERNAL


@dataclass
class Kind:
    """Interchangeable candidates: one program item standing for `courses`."""

    item: Item
    courses: list  # cheapest first: the plan takes a prefix


def select(
    catalogue: Sequence,
    tree: Node,
    before: Measure,
    held: Sequence[Item],
    assigned: dict,
    home: str,
    policy: Policy,
    as_of: date,
    cost,  # noqa: ANN001 - (course) -> float, the objective (hours when by weeks)
) -> Catalogue:
    """The usable catalogue, grouped by kind (cut it with `Catalogue.cut`)."""
    needs = _needs(tree, before, held, assigned)
    refs = {n.ref for n in walk(tree) if n.type == "course"}
    recognised = set(policy.get("R-ABC-REG", "recognised"))
    min_level = policy.get("NCRF-LEVELS", "ug_min_level")
    profiles: dict[tuple, tuple] = {}
    groups: dict[date, str] = {}
    kinds: dict[tuple, list] = defaultdict(list)
    for course in catalogue:
        if course.start < as_of or course.credits <= 0:
            continue
        if not course.issuer_registered and course.provider not in recognised:
            continue
        if course.level is not None and course.level < min_level:
            continue
        pk = _provider_kind(course.provider, home)
        raw = (
            course.category,
            course.also_counts_as,
            pk,
            course.kind,
            course.level,
            course.subjects,
            course.id if course.id in refs else None,
        )
        profile = profiles.get(raw)
        if profile is None:
            profile = profiles[raw] = _profile(to_credit(course), pk, needs)
        group = groups.get(course.start)
        if group is None:
            group = groups[course.start] = group_of(course.start)
        key = (profile, pk, group, course.credits, raw[-1])
        kinds[key].append(course)
    for courses in kinds.values():
        courses.sort(key=lambda c: (cost(c), c.id))
    return Catalogue(dict(kinds), needs, cost, as_of)


@dataclass
class Catalogue:
    """Usable courses grouped by kind, each kind cheapest first."""

    kinds: dict[tuple, list]
    needs: _Needs
    cost: object  # (course) -> float
    as_of: date

    def ends(self) -> list[float]:
        """Every week a usable course ends, sorted."""
        return sorted({c.end_week(self.as_of) for v in self.kinds.values() for c in v})

    def cut(
        self,
        *,
        helpers: bool = True,
        upper: float | None = None,
        max_end: float | None = None,
    ) -> list[Kind]:
        """The kinds the exact program needs. `upper`: the cost of a known plan (an
        optimal plan takes from each kind a prefix costing no more); `max_end`: the
        end week of a known plan (the weeks objective never ends later)."""
        kinds = self.kinds
        if max_end is not None:
            cut = {}
            for key, courses in kinds.items():
                early = [c for c in courses if c.end_week(self.as_of) <= max_end + 1e-9]
                if early:
                    cut[key] = early
            kinds = cut
        if upper is not None:
            kinds = {
                k: v
                for k, v in (
                    (k, _within(v, upper, self.cost)) for k, v in kinds.items()
                )
                if v
            }
        return _cut(kinds, self.needs, self.cost, helpers)


def _within(courses: list, upper: float, cost) -> list:  # noqa: ANN001
    total = 0.0
    for n, course in enumerate(courses):
        total += cost(course)
        if total > upper + 1e-6:
            return courses[:n]
    return courses


def _profile(credit: Credit, pk: str, needs: _Needs) -> tuple:
    """Per option: the useful leaves it fills and its part in each cap and share."""
    item = Item(credit, pk)
    out = []
    for option in credit.categories:
        fills = frozenset(
            j for j, n in enumerate(needs.useful) if matches(n.where, item, option)
        )
        parts = tuple(
            (matches(c.where, item, option), matches(c.of, item, option))
            for c in needs.constraints
        )
        out.append((fills, parts))
    return tuple(out)


def _any(profile: tuple, needs: _Needs, test) -> bool:  # noqa: ANN001
    return any(
        test(c, parts[j])
        for _, parts in profile
        for j, c in enumerate(needs.constraints)
    )


def _cut(kinds: dict, needs: _Needs, cost, helpers: bool = True) -> list[Kind]:  # noqa: ANN001
    useful, helper_kinds = [], []
    for key, courses in kinds.items():
        if any(fills for fills, _ in key[0]):
            useful.append((key, courses))
        elif _any(key[0], needs, _helps):
            helper_kinds.append((key, courses))
    if not useful and not needs.dropped:
        return []
    # At most this many useful courses in a minimal plan: each closes some gap.
    smallest = min((key[3] for key, _ in useful), default=1.0)
    picks = sum(
        math.ceil(s / (1.0 if n.type in ("min_courses", "course") else smallest) - 1e-9)
        for n, s in zip(needs.useful, needs.short, strict=True)
    )
    strained = needs.dropped > 0 or any(
        _any(key[0], needs, _hurts) for key, _ in useful
    )
    picks += math.ceil(needs.dropped)
    ratio = max((_ratio(c) for c in needs.constraints), default=0.0)
    out: list[Kind] = []
    for key, courses in useful:
        profile, credits = key[0], key[3]
        need = 0
        for j, short in enumerate(needs.short):
            if any(j in fills for fills, _ in profile):
                node = needs.useful[j]
                unit = 1.0 if node.type in ("min_courses", "course") else credits
                need += (
                    picks
                    if node.type == "min_score"
                    else math.ceil(short / unit - 1e-9)
                )
        keep = need + 1
        if helpers and strained and _any(profile, needs, _helps):
            keep += _helpers_needed(picks, ratio, credits)
        out.append(_kind(key, courses, keep, cost))
    for key, courses in helper_kinds:
        if strained:
            keep = _helpers_needed(picks, ratio, key[3]) if helpers else 1
            out.append(_kind(key, courses, keep, cost))
    return out


def _helpers_needed(picks: int, ratio: float, credits: float) -> int:
    """Helpers that can be needed to carry `picks` straining courses under a cap or
    share: `ratio` helper units per strained unit, in courses or credits."""
    return math.ceil(picks * max(1.0, ratio) / min(1.0, credits) - 1e-9) + 1


def _helps(node: Node, part: tuple[bool, bool]) -> bool:
    where, of = part
    return where if node.type == "min_share" else (of and not where)


def _hurts(node: Node, part: tuple[bool, bool]) -> bool:
    where, of = part
    return (of and not where) if node.type == "min_share" else where


def _ratio(node: Node) -> float:
    """Helper units needed per strained unit to keep a share or cap where it was."""
    if node.type == "min_share":
        return node.limit / share_divisor(node)
    return share_divisor(node) / max(node.limit, 1e-6)


def _kind(key: tuple, courses: list, keep: int, cost) -> Kind:  # noqa: ANN001
    ranked = courses[:keep]  # sorted cheapest first when grouped
    _, pk, group, _, _ = key
    item = Item(to_credit(ranked[0]), pk, tuple(cost(c) for c in ranked), group)
    return Kind(item, ranked)


def greedy_plan(
    grouped: Catalogue,
    held: Sequence[Item],
    tree: Node,
    learner,  # noqa: ANN001
    policy: Policy,
    targets: Sequence[Node],
    max_end: float | None = None,
) -> list | None:
    """A plan of home courses, cheapest per credit first for each gap, if it works.

    Only an upper bound for the exact program: home courses strain no cap or share,
    so the greedy choice is usually eligible and close to the optimum.
    """
    from app.credits.allocation import allocate  # the planner's own solver

    needs = grouped.needs
    picked: dict[str, object] = {}
    wanted = {id(n) for n in targets}
    for j, (node, short) in enumerate(zip(needs.useful, needs.short, strict=True)):
        if id(node) not in wanted:
            continue  # another branch of an any_of, or a rule met already
        if node.type not in ("min_credits", "min_courses", "min_share"):
            return None
        offers = []
        for key, courses in grouped.kinds.items():
            profile, pk, _, credits, _ = key
            if pk != HOME or j not in profile[0][0]:
                continue
            count = math.ceil(short / (1.0 if node.type == "min_courses" else credits))
            for course in courses[: count + len(picked)]:
                if max_end is None or course.end_week(grouped.as_of) <= max_end + 1e-9:
                    offers.append((grouped.cost(course) / credits, course.id, course))
        offers.sort(key=lambda o: (o[0], o[1]))
        got = 0.0
        for _, cid, course in offers:
            if got >= short - 1e-9:
                break
            if cid not in picked:
                picked[cid] = course
            got += 1.0 if node.type == "min_courses" else course.credits
        if got < short - 1e-9:
            return None
    chosen = list(picked.values())
    items = list(held) + [
        Item(to_credit(c), HOME, (), group_of(c.start)) for c in chosen
    ]
    return chosen if allocate(tree, items, learner, policy).measure.met else None
