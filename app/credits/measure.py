"""Measuring a requirement tree against one allocation (which credits count, as what).

Shared by the allocator (to check a candidate allocation without a solver), the
evaluator (to explain the chosen one) and the tests' brute force: one definition of
what "required", "actual" and "short" mean for every node type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.credits.model import Credit, Learner, provider_kind
from app.credits.policy import Policy
from app.credits.requirements import Node, Where

EPS = 1e-9
INFEASIBLE = float("inf")


@dataclass(frozen=True)
class Item:
    """A credit the allocator may count: held by the learner, or a candidate."""

    credit: Credit
    provider_kind: str
    # A planner's candidate stands for len(costs) interchangeable courses, cheapest
    # first; a held credit has no costs (it is free and counts once).
    costs: tuple[float, ...] = ()
    group: str = ""  # the semester the credit belongs to (R-SWAYAM-CAP is per semester)
    end: float = 0.0  # a candidate: the week it ends (the weeks objective)

    @property
    def options(self) -> tuple[str, ...]:
        return self.credit.categories

    @property
    def cost(self) -> float | None:
        return self.costs[0] if self.costs else None

    @property
    def count(self) -> int:
        return max(1, len(self.costs))


def items_for(credits: Sequence[Credit], learner: Learner) -> list[Item]:
    return [
        Item(c, provider_kind(c, learner.home_institution), (), c.semester_key)
        for c in credits
    ]


@dataclass
class Measure:
    """One node measured: what it needs, what the allocation gives, and the gap."""

    node: Node
    required: float
    actual: float
    met: bool
    short: float
    used: list[str] = field(default_factory=list)
    children: list[Measure] = field(default_factory=list)


def matches(where: Where, item: Item, category: str) -> bool:
    if not where.category_match(category):
        return False
    return not where.any_fixed or where.fixed_match(item.credit, item.provider_kind)


def share_divisor(node: Node) -> float:
    """min_share gaps count the credits needed: each also grows the whole."""
    return max(1e-6, 1.0 - node.limit)


def weight(item: Item, unit: str) -> float:
    return 1.0 if unit == "courses" else item.credit.credits


def learner_score(
    node: Node, learner: Learner, policy: Policy
) -> tuple[float, float] | None:
    """R-HONR reads marks first, else CGPA when the policy's switch allows it."""
    if learner.marks_percent_sem1_6 is not None:
        return node.n, learner.marks_percent_sem1_6
    if learner.cgpa is not None and policy.get("R-HONR", "cgpa_equivalence"):
        return policy.get("R-HONR", "cgpa"), learner.cgpa
    return None


def measure(
    node: Node,
    items: Sequence[Item],
    assigned: Mapping[int, str],
    learner: Learner,
    policy: Policy,
) -> Measure:
    """Measure `node` when item i counts as category assigned[i] (absent: not)."""
    if node.children:
        kids = [measure(c, items, assigned, learner, policy) for c in node.children]
        return _group(node, kids)
    kept = [(items[i], cat) for i, cat in assigned.items()]
    hits = [(it, cat) for it, cat in kept if matches(node.where, it, cat)]
    used = [it.credit.id for it, _ in hits]
    if node.type in ("min_credits", "min_courses", "course"):
        if node.type == "course":
            used = [
                it.credit.id
                for it, _ in kept
                if node.ref in (it.credit.id, it.credit.course_ref)
            ]
            actual, required = float(len(used)), 1.0
        else:
            unit = "courses" if node.type == "min_courses" else "credits"
            actual, required = sum(weight(it, unit) for it, _ in hits), node.n
        short = max(0.0, required - actual)
        return Measure(node, required, actual, short <= EPS, short, used)
    if node.type == "min_share":
        part = sum(weight(it, node.unit) for it, _ in hits)
        whole = sum(
            weight(it, node.unit) for it, cat in kept if matches(node.of, it, cat)
        )
        share = part / whole if whole > EPS else 1.0
        # in credits of the required kind still needed: each one also grows the whole
        short = max(0.0, node.limit * whole - part) / share_divisor(node)
        return Measure(node, node.limit, round(share, 4), short <= EPS, short, used)
    if node.type == "max_share":
        return _cap(node, kept, hits, used)
    # min_score
    if node.source == "learner_marks":
        got = learner_score(node, learner, policy)
        if got is None:
            return Measure(node, node.n, 0.0, False, node.n, [])
        required, actual = got
        short = max(0.0, required - actual)
        return Measure(node, required, actual, short <= EPS, short, [])
    scored = [(it, cat) for it, cat in hits if it.credit.scores is not None]
    used = [it.credit.id for it, _ in scored]
    mean = (
        sum(it.credit.scores.percent for it, _ in scored) / len(scored)
        if scored
        else 0.0
    )  # type: ignore[union-attr]
    # score points below the minimum over the counted credits (mean >= min exactly
    # when their sum of (score - min) is not negative), or the minimum if none
    points = sum(node.n - it.credit.scores.percent for it, _ in scored)  # type: ignore[union-attr]
    short = max(0.0, points) if scored else node.n
    return Measure(node, node.n, round(mean, 2), short <= EPS, short, used)


def _cap(node: Node, kept: list, hits: list, used: list[str]) -> Measure:
    """max_share: the share in every group (semester) must stay within the limit."""
    part: dict[str, float] = defaultdict(float)
    whole: dict[str, float] = defaultdict(float)
    for it, cat in kept:
        if matches(node.of, it, cat):
            whole[it.group if node.per else ""] += weight(it, node.unit)
    for it, _ in hits:
        part[it.group if node.per else ""] += weight(it, node.unit)
    worst = max((part[g] / whole[g] for g in part if whole[g] > EPS), default=0.0)
    over = any(part[g] > node.limit * whole[g] + 1e-7 for g in part)
    return Measure(
        node, node.limit, round(worst, 4), not over, INFEASIBLE if over else 0.0, used
    )


def _group(node: Node, kids: list[Measure]) -> Measure:
    """all_of adds the gaps of its children; any_of / n_of take the smallest that
    suffice.
    """
    count = (
        len(kids)
        if node.type == "all_of"
        else (1 if node.type == "any_of" else int(node.n))
    )
    gaps = sorted(k.short for k in kids)
    short = sum(gaps[:count]) if count else 0.0
    met_count = sum(1 for k in kids if k.met)
    used = list(
        dict.fromkeys(i for k in kids if k.met or node.type == "all_of" for i in k.used)
    )
    return Measure(
        node, float(count), float(met_count), met_count >= count, short, used, kids
    )


def missing(m: Measure) -> list[Measure]:
    """The unmet leaves on the cheapest way to meet the tree (the gaps to close)."""
    if not m.children:
        return [] if m.met else [m]
    node = m.node
    count = (
        len(m.children)
        if node.type == "all_of"
        else (1 if node.type == "any_of" else int(node.n))
    )
    chosen = {id(k) for k in sorted(m.children, key=lambda k: k.short)[:count]}
    return [leaf for k in m.children if id(k) in chosen for leaf in missing(k)]
