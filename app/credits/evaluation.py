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
from app.credits.measure import Item, Measure, items_for, matches, measure, missing
from app.credits.model import Credit, Exclusion, Learner, provider_kind
from app.credits.policy import Policy
from app.credits.requirements import Node, walk


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
    dropped = _dropped(tree, items, allocation, learner, policy)
    excluded = admitted.excluded + dropped
    by_id = {c.id: c for c in credits}
    checks = _explain(allocation.measure, excluded, by_id, learner)
    return Evaluation(
        award=award,
        policy=policy,
        as_of=as_of,
        eligible=allocation.measure.met,
        checks=checks,
        excluded=excluded,
        missing=[_gap(m) for m in missing(allocation.measure)],
        totals=_totals(items, allocation),
        used=[items[i].credit.id for i in sorted(allocation.assigned)],
        short=allocation.measure.short,
        solver=allocation.solver,
    )


def _gap(m: Measure) -> Gap:
    node = m.node
    short = m.short
    what = node.what or {"min_courses": "courses", "course": "course"}.get(
        node.type, "credits"
    )
    return Gap(node.rule, what, _round(m.required), _round(m.actual), _round(short))


def _round(x: float) -> float:
    return round(x, 4)


def _explain(
    m: Measure, excluded: list[Exclusion], by_id: dict[str, Credit], learner: Learner
) -> Check:
    node = m.node
    relevant: list[Exclusion] = []
    if (
        not node.children
        and node.type not in ("min_score",)
        or node.source == "credits"
    ):
        for ex in excluded:
            credit = by_id[ex.id]
            item = Item(credit, provider_kind(credit, learner.home_institution))
            if any(matches(node.where, item, cat) for cat in credit.categories):
                relevant.append(ex)
    if node.children:
        relevant = []
    return Check(
        rule=node.rule,
        type=node.type,
        description=node.description or node.type,
        required=_round(m.required),
        actual=_round(m.actual),
        met=m.met,
        used=list(m.used),
        excluded=relevant,
        children=[_explain(k, excluded, by_id, learner) for k in m.children],
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


def _dropped(
    tree: Node,
    items: Sequence[Item],
    allocation: Allocation,
    learner: Learner,
    policy: Policy,
) -> list[Exclusion]:
    """Admitted credits the allocation left out, each with the cap or share that forced
    it.
    """
    out = []
    base = allocation.measure
    caps = [n for n in walk(tree) if n.type == "max_share"]
    shares = [n for n in walk(tree) if n.type == "min_share"]
    for i, item in enumerate(items):
        if i in allocation.assigned:
            continue
        with_it = dict(allocation.assigned)
        with_it[i] = item.options[0]
        out.append(
            _why(
                i, item, with_it, caps, shares, items, allocation, base, learner, policy
            )
        )
    return out


def _why(
    i, item, with_it, caps, shares, items, allocation, base, learner, policy
) -> Exclusion:  # noqa: ANN001
    credit_id = item.credit.id
    for cap in caps:
        if measure(cap, items, with_it, learner, policy).met:
            continue
        group = item.group if cap.per else "the award"
        rivals = [
            j
            for j in allocation.assigned
            if matches(cap.where, items[j], allocation.assigned[j])
            and (not cap.per or items[j].group == item.group)
        ]
        detail = (
            f"{group}: at most {cap.limit:.0%} of the {cap.unit} may match this cap; "
            f"kept {', '.join(items[j].credit.id for j in rivals) or 'none'}"
        )
        detail += _swap_reason(i, rivals, items, allocation, base, learner, policy)
        return Exclusion(credit_id, "over_cap", cap.rule, detail)
    for share in shares:
        after = measure(share, items, with_it, learner, policy)
        if (
            not after.met
            or after.short
            > measure(share, items, allocation.assigned, learner, policy).short
        ):
            return Exclusion(
                credit_id,
                "not_home",
                share.rule,
                f"counting it would bring the home share to {after.actual:.1%}, "
                f"below {share.limit:.0%}; the award is met without it",
            )
    return Exclusion(
        credit_id, "over_cap", "ALLOCATION", "not needed by any requirement"
    )


def _swap_reason(i, rivals, items, allocation, base, learner, policy) -> str:  # noqa: ANN001
    """Why this credit and not a kept one: the best swap and what it would cost."""
    best: tuple[float, float, str] | None = None
    for j in rivals:
        swapped = {k: v for k, v in allocation.assigned.items() if k != j}
        swapped[i] = items[i].options[0]
        m = measure(base.node, items, swapped, learner, policy)
        if not m.met and m.short == float("inf"):
            continue
        credits = sum(items[k].credit.credits for k in swapped)
        key = (m.short, -credits, items[j].credit.id)
        if best is None or key < best:
            best = key
    if best is None:
        return "; it cannot replace any of them within the cap"
    short, credits, rival = best
    kept_credits = sum(items[k].credit.credits for k in allocation.assigned)
    if short > base.short + 1e-9:
        return (
            f"; counting it instead of {rival} would leave a gap of {short:g} "
            f"(now {base.short:g})"
        )
    if -credits < kept_credits - 1e-9:
        return (
            f"; counting it instead of {rival} would count {-credits:g} credits "
            f"instead of {kept_credits:g}"
        )
    return (
        f"; it ties with {rival}, which is kept (its own category, or first in order)"
    )


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
