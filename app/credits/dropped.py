"""Why the allocator left an admitted credit out: the cap or share that forced it.

A cap that bites keeps the subset best for the learner (allocation.py); this module
says, for each credit it dropped, which rule dropped it and why that credit rather
than a kept one. On small records it tries every swap with a kept rival and reports
what the swap would cost; on large ones it compares with the weakest kept rival
only, so an explanation never costs more than the evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from app.credits.allocation import Allocation
from app.credits.measure import Item, matches, measure, share_divisor, weight
from app.credits.model import Exclusion, Learner
from app.credits.policy import Policy
from app.credits.requirements import Node, walk

# How many full re-measures of the tree the swap analysis may spend in all.
SWAP_BUDGET = 40
_SHOWN = 8  # kept rivals named in a detail


class _Cap:
    """A max_share's part and whole per group under the chosen allocation."""

    def __init__(self, node: Node, items: Sequence[Item], assigned: dict[int, str]):
        self.node = node
        self.part: dict[str, float] = defaultdict(float)
        self.whole: dict[str, float] = defaultdict(float)
        # the kept credits this cap counts, per group, weakest first
        self.kept: dict[str, list[int]] = defaultdict(list)
        for i, cat in assigned.items():
            key = self.key(items[i])
            if matches(node.where, items[i], cat):
                self.part[key] += weight(items[i], node.unit)
                self.kept[key].append(i)
            if matches(node.of, items[i], cat):
                self.whole[key] += weight(items[i], node.unit)

    def key(self, item: Item) -> str:
        return item.group if self.node.per else ""

    def breaks(self, item: Item) -> bool:
        cat, key, w = item.options[0], self.key(item), weight(item, self.node.unit)
        part = self.part[key] + (w if matches(self.node.where, item, cat) else 0.0)
        whole = self.whole[key] + (w if matches(self.node.of, item, cat) else 0.0)
        return part > self.node.limit * whole + 1e-7

    def rivals(self, item: Item, items: Sequence[Item]) -> list[int]:
        return sorted(
            self.kept[self.key(item)],
            key=lambda j: (items[j].credit.credits, items[j].credit.id),
        )


def _share_after(node: Node, items, assigned, item: Item) -> tuple[float, float, float]:  # noqa: ANN001
    """(share now, share with the item, growth of the gap in credits)."""
    part = whole = 0.0
    for i, cat in assigned.items():
        w = weight(items[i], node.unit)
        part += w if matches(node.where, items[i], cat) else 0.0
        whole += w if matches(node.of, items[i], cat) else 0.0
    cat, w = item.options[0], weight(item, node.unit)
    part2 = part + (w if matches(node.where, item, cat) else 0.0)
    whole2 = whole + (w if matches(node.of, item, cat) else 0.0)

    def gap(p: float, t: float) -> float:
        return max(0.0, node.limit * t - p) / share_divisor(node)

    share = part2 / whole2 if whole2 else 1.0
    return (
        (part / whole if whole else 1.0),
        share,
        gap(part2, whole2) - gap(part, whole),
    )


def explain_dropped(
    tree: Node,
    items: Sequence[Item],
    allocation: Allocation,
    learner: Learner,
    policy: Policy,
) -> list[Exclusion]:
    """One exclusion (over_cap or not_home) per admitted credit left uncounted."""
    dropped = [i for i in range(len(items)) if i not in allocation.assigned]
    if not dropped:
        return []
    caps = [
        _Cap(n, items, allocation.assigned) for n in walk(tree) if n.type == "max_share"
    ]
    shares = [n for n in walk(tree) if n.type == "min_share"]
    means = [n for n in walk(tree) if n.type == "min_score" and n.source == "credits"]
    budget = [SWAP_BUDGET]
    out = []
    for i in dropped:
        item = items[i]
        cap = next((c for c in caps if c.breaks(item)), None)
        if cap is not None:
            out.append(_over_cap(i, cap, items, allocation, learner, policy, budget))
            continue
        for share in shares:
            _, after, growth = _share_after(share, items, allocation.assigned, item)
            if growth > 1e-9:
                out.append(
                    Exclusion(
                        item.credit.id,
                        "not_home",
                        share.rule,
                        f"counting it would bring the home share to {after:.1%}, "
                        f"below {share.limit:.0%}",
                    )
                )
                break
        else:
            out.append(_low_score(item, means))
    return out


def _low_score(item: Item, means: list[Node]) -> Exclusion:
    """A credit left out because its score would pull a required mean down."""
    scores = item.credit.scores
    for node in means:
        hit = matches(node.where, item, item.options[0])
        if hit and scores is not None and scores.percent < node.n:
            return Exclusion(
                item.credit.id,
                "failed",
                node.rule,
                f"its score {scores.percent:.1f}% would pull the mean below "
                f"{node.n:g}%",
            )
    return Exclusion(item.credit.id, "over_cap", "ALLOCATION", "not needed")


def _over_cap(i, cap: _Cap, items, allocation, learner, policy, budget) -> Exclusion:  # noqa: ANN001
    item = items[i]
    node = cap.node
    rivals = cap.rivals(item, items)
    names = ", ".join(items[j].credit.id for j in rivals[:_SHOWN])
    if len(rivals) > _SHOWN:
        names += f" and {len(rivals) - _SHOWN} more"
    where = f"{item.group}: " if node.per else ""
    detail = (
        f"{where}at most {node.limit:.0%} of the {node.unit} may match this cap; "
        f"kept {names or 'none'}"
    )
    if rivals and len(rivals) <= budget[0]:
        budget[0] -= len(rivals)
        detail += _swap(i, rivals, items, allocation, learner, policy)
    elif rivals:
        weakest = items[rivals[0]].credit
        if item.credit.credits < weakest.credits:
            detail += f"; each kept one carries at least {weakest.credits:g} credits"
        else:
            detail += "; the kept ones close more of the award's gaps"
    return Exclusion(item.credit.id, "over_cap", node.rule, detail)


def _swap(i, rivals, items, allocation, learner, policy) -> str:  # noqa: ANN001
    """The least costly swap with a kept rival, and what it would cost."""
    base = allocation.measure
    best: tuple[float, float, str] | None = None
    for j in rivals:
        swapped = {k: v for k, v in allocation.assigned.items() if k != j}
        swapped[i] = items[i].options[0]
        m = measure(base.node, items, swapped, learner, policy)
        if m.short == float("inf"):
            continue
        credits = sum(items[k].credit.credits for k in swapped)
        key = (m.short, -credits, items[j].credit.id)
        if best is None or key < best:
            best = key
    if best is None:
        return "; it cannot replace any of them within the cap"
    short, credits, rival = best
    kept = sum(items[k].credit.credits for k in allocation.assigned)
    if short > base.short + 1e-9:
        return (
            f"; counting it instead of {rival} would leave a gap of {short:g} "
            f"(now {base.short:g})"
        )
    if -credits < kept - 1e-9:
        return (
            f"; counting it instead of {rival} would count {-credits:g} credits "
            f"instead of {kept:g}"
        )
    return (
        f"; it ties with {rival}, which is kept (its own category, or first in order)"
    )
