"""Evaluation: a verdict on one award, with the explanation tree behind it.

admissibility -> allocation -> explanation. Every node of the result says its rule
id, what it requires, what the learner has, whether it is met, the credits it used
and the credits it could have used but were excluded (and why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.credits.admissibility import check_credits
from app.credits.allocation import Allocation, allocate
from app.credits.dropped import explain_dropped
from app.credits.measure import Item, Measure, items_for, matches, missing
from app.credits.model import Credit, Exclusion, Learner, provider_kind
from app.credits.policy import Policy
from app.credits.requirements import Node


@dataclass
class Check:
    """One node of the explanation tree."""

    rule: str
    type: str
    description: str
    required: float
    actual: float
    met: bool
    used: list[str] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    children: list[Check] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    """What one unmet rule still needs (`short` in the rule's own unit)."""

    rule: str
    what: str
    required: float
    actual: float
    short: float


@dataclass
class Totals:
    credits: float
    credit_points: float  # NCRF-POINTS: credits x NCrF level
    by_category: dict[str, float]
    by_level: dict[str, float]


@dataclass
class Evaluation:
    award: str
    policy: Policy
    as_of: date
    eligible: bool
    checks: Check
    excluded: list[Exclusion]
    missing: list[Gap]
    totals: Totals
    used: list[str]
    short: float  # the total gap (0 when eligible): compares awards for "closest"
    solver: str


def evaluate(
    credits: Sequence[Credit],
    learner: Learner,
    tree: Node,
    award: str,
    policy: Policy,
    as_of: date,
) -> Evaluation:
    """Is the learner eligible for `award` (its requirement `tree`) under `policy` on
    `as_of`?
    """
    admitted = check_credits(credits, policy, as_of, award)
    items = items_for(admitted.admitted, learner)
    allocation = allocate(tree, items, learner, policy)
    dropped = explain_dropped(tree, items, allocation, learner, policy)
    excluded = admitted.excluded + dropped
    by_id = {c.id: c for c in credits}
    home = learner.home_institution
    pairs = [
        (ex, Item(by_id[ex.id], provider_kind(by_id[ex.id], home))) for ex in excluded
    ]
    checks = _explain(allocation.measure, pairs)
    return Evaluation(
        award=award,
        policy=policy,
        as_of=as_of,
        eligible=allocation.measure.met,
        checks=checks,
        excluded=excluded,
        missing=[gap_of(m) for m in missing(allocation.measure)],
        totals=_totals(items, allocation),
        used=[items[i].credit.id for i in sorted(allocation.assigned)],
        short=allocation.measure.short,
        solver=allocation.solver,
    )


def gap_of(m: Measure) -> Gap:
    """The `missing` entry of an unmet leaf."""
    node = m.node
    short = m.short
    what = node.what or {
        "min_courses": "courses",
        "course": "course",
        "min_share": "share",
    }.get(node.type, "credits")
    return Gap(node.rule, what, _round(m.required), _round(m.actual), _round(short))


def _round(x: float) -> float:
    return round(x, 4)


def _explain(m: Measure, excluded: list[tuple[Exclusion, Item]]) -> Check:
    """The explanation tree; a leaf lists the excluded credits its filter would take."""
    node = m.node
    relevant: list[Exclusion] = []
    if not node.children and (node.type != "min_score" or node.source == "credits"):
        relevant = [
            ex
            for ex, item in excluded
            if any(matches(node.where, item, cat) for cat in item.options)
        ]
    return Check(
        rule=node.rule,
        type=node.type,
        description=node.description or node.type,
        required=_round(m.required),
        actual=_round(m.actual),
        met=m.met,
        used=list(m.used),
        excluded=relevant,
        children=[_explain(k, excluded) for k in m.children],
    )


def _totals(items: Sequence[Item], allocation: Allocation) -> Totals:
    by_category: dict[str, float] = defaultdict(float)
    by_level: dict[str, float] = defaultdict(float)
    credits = points = 0.0
    for i, cat in allocation.assigned.items():
        credit = items[i].credit
        credits += credit.credits
        points += credit.credits * (credit.level or 0.0)
        by_category[cat] += credit.credits
        by_level[f"{credit.level:g}" if credit.level is not None else "unknown"] += (
            credit.credits
        )
    return Totals(_round(credits), _round(points), dict(by_category), dict(by_level))


def closest_award(
    credits: Sequence[Credit],
    learner: Learner,
    policy: Policy,
    as_of: date,
    awards: Sequence[str] | None = None,
) -> Evaluation | None:
    """The built-in award not yet met with the smallest gap (None: all met)."""
    from app.credits.awards import AWARDS, builtin_award

    best: Evaluation | None = None
    for award in awards or AWARDS:
        result = evaluate(
            credits, learner, builtin_award(award, policy), award, policy, as_of
        )
        if not result.eligible and (best is None or result.short < best.short):
            best = result
    return best
