"""Allocation: which credits count toward an award, and as which category.

Each credit counts once per award. When categories compete for a credit (SEC or
Minor), first-come fails, so the allocator solves an integer program (HiGHS through
scipy's `milp`, with a zero optimality gap): it minimises the total gap of the tree
(any_of / n_of choose their cheapest branches) and, among the best, counts as many
credits as possible. Caps (`max_share`, e.g. R-SWAYAM-CAP, R-MC-50) are hard: a cap
that bites drops the credits whose loss hurts the learner least. Residency
(`min_share`, R-ABC-RES) may leave external credits uncounted when counting them
would break the home share.

The same model plans: candidates carry a cost, gaps are forced to zero, and the
objective is the cost (see planner.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from app.credits.measure import (
    Item,
    Measure,
    matches,
    measure,
    share_divisor,
    weight,
)
from app.credits.model import Learner
from app.credits.policy import Policy
from app.credits.requirements import Node, walk

# A tiny preference for a credit's own category over its `also_counts_as`, so an
# explanation does not move credits around for nothing.
_ALT_PENALTY = 1e-3
_INF = np.inf


@dataclass
class Allocation:
    """The chosen allocation: item index -> category, for every counted item."""

    assigned: dict[int, str]
    measure: Measure
    solver: str  # "direct" (no solver needed) or "milp"


@dataclass
class _Model:
    """Rows and columns of the integer program, built incrementally."""

    n_vars: int = 0
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integral: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    rows: list[dict[int, float]] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)

    def var(self, lo: float, hi: float, integral: bool, cost: float = 0.0) -> int:
        self.lower.append(lo)
        self.upper.append(hi)
        self.integral.append(1 if integral else 0)
        self.cost.append(cost)
        self.n_vars += 1
        return self.n_vars - 1

    def row(self, coefs: Mapping[int, float], lo: float, hi: float) -> None:
        self.rows.append(dict(coefs))
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def solve(self) -> np.ndarray | None:
        data, ri, ci = [], [], []
        for r, coefs in enumerate(self.rows):
            for c, v in coefs.items():
                ri.append(r)
                ci.append(c)
                data.append(v)
        constraints = []
        if self.rows:
            matrix = coo_matrix(
                (data, (ri, ci)), shape=(len(self.rows), self.n_vars)
            ).tocsr()
            constraints.append(LinearConstraint(matrix, self.row_lo, self.row_hi))
        # a zero gap: the answer is the optimum, not a near one
        options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "disp": False}
        result = milp(
            np.array(self.cost),
            constraints=constraints,
            integrality=np.array(self.integral),
            bounds=Bounds(np.array(self.lower), np.array(self.upper)),
            options=options,
        )
        return result.x if result.x is not None and result.status == 0 else None


@dataclass
class Program:
    """The integer program of one tree over some items, ready to solve."""

    model: _Model
    y: dict[tuple[int, str], int]
    gaps: list[int]
    gap_nodes: list[Node]
    items: Sequence[Item]

    def assignment(self, x: np.ndarray) -> dict[int, str]:
        """For one-course items: which category each counted item counts as."""
        return {i: cat for (i, cat), col in self.y.items() if x[col] > 0.5}

    def counts(self, x: np.ndarray) -> dict[tuple[int, str], int]:
        """How many courses of each item count as each category."""
        return {key: round(x[col]) for key, col in self.y.items() if x[col] > 0.5}


def build_program(
    tree: Node,
    items: Sequence[Item],
    learner: Learner,
    policy: Policy,
    *,
    allow_gaps: bool = True,
    count_held: bool = True,
    free_candidates: bool = False,
) -> Program:
    """Variables: y[i, category] (how many of item i count as category), node
    activities, gaps. A held credit is one course (y is 0/1); a planner's candidate
    stands for `count` interchangeable courses whose cost is the sum of the cheapest
    ones taken (a convex piecewise-linear cost, so the cheapest are taken first).
    """
    model = _Model()
    y: dict[tuple[int, str], int] = {}
    risky = [n for n in walk(tree) if n.type in ("max_share", "min_share", "min_score")]
    for i, item in enumerate(items):
        cols = []
        count = item.count
        # a held credit that can only help every rule is always counted: fixing it
        # lets the solver's presolve take it out of the search
        low = 1 if not item.costs and _always_helps(item, risky) else 0
        for k, cat in enumerate(item.options):
            penalty = _ALT_PENALTY if k and count_held else 0.0
            cols.append(model.var(low, count, True, penalty))
            y[(i, cat)] = cols[-1]
        if len(cols) > 1:
            model.row({c: 1.0 for c in cols}, -_INF, float(count))
        if item.costs and not free_candidates:
            _cost_rows(model, cols, item.costs)
    gaps: list[int] = []
    gap_nodes: list[Node] = []
    total = sum((it.credit.credits + 1.0) * it.count for it in items) + 1.0

    def add(node: Node, active: int | None) -> None:
        # active None: the node is required outright; else a 0/1 activity variable
        if node.children:
            if node.type == "all_of":
                for child in node.children:
                    add(child, active)
                return
            kids = [model.var(0, 1, True) for _ in node.children]
            need = 1.0 if node.type == "any_of" else node.n
            coefs = {k: 1.0 for k in kids}
            if active is None:
                model.row(coefs, need, _INF)
            else:
                coefs[active] = -need
                model.row(coefs, 0.0, _INF)
            for child, kid in zip(node.children, kids, strict=True):
                add(child, kid)
            return
        if node.type == "max_share":
            _cap_rows(model, node, items, y)
            return
        coefs: dict[int, float] = defaultdict(float)
        need = 0.0
        big = 0.0
        scored: list[int] = []
        if node.type in ("min_credits", "min_courses"):
            unit = "courses" if node.type == "min_courses" else "credits"
            for (i, cat), col in y.items():
                if matches(node.where, items[i], cat):
                    coefs[col] += weight(items[i], unit)
            need = node.n
        elif node.type == "course":
            for (i, _cat), col in y.items():
                if node.ref in (items[i].credit.id, items[i].credit.course_ref):
                    coefs[col] += 1.0
            need = 1.0
        elif node.type == "min_share":
            for (i, cat), col in y.items():
                w = weight(items[i], node.unit)
                if matches(node.where, items[i], cat):
                    coefs[col] += w
                if matches(node.of, items[i], cat):
                    coefs[col] -= node.limit * w
                    big += node.limit * w * items[i].count
        elif node.source == "credits":
            # mean of the counted scores >= min, as sum(score - min) >= 0; the gap
            # is the score points short (measure() reports the same)
            for (i, cat), col in y.items():
                scores = items[i].credit.scores
                if scores is not None and matches(node.where, items[i], cat):
                    coefs[col] += scores.percent - node.n
                    big += node.n * items[i].count
                    scored.append(col)
            if not coefs:
                need = node.n  # nothing scored can meet it: a constant gap
        else:  # a learner's marks: a constant, met or not
            m = measure(node, items, {}, learner, policy)
            need = m.short
        gap = model.var(0, _INF if allow_gaps else 0.0, False, total)
        gaps.append(gap)
        gap_nodes.append(node)
        # a share's gap counts the credits still needed, as measure() reports it
        coefs[gap] += share_divisor(node) if node.type == "min_share" else 1.0
        if active is None:
            model.row(coefs, need, _INF)
        else:
            # inactive: the row is relaxed by `big` (share rows) or by its requirement
            coefs[active] -= need + big
            model.row(coefs, -big, _INF)
        if scored:
            # and at least one score counted, else the whole minimum is the gap
            row = {gap: 1.0, **{col: node.n for col in scored}}
            if active is None:
                model.row(row, node.n, _INF)
            else:
                row[active] = row.get(active, 0.0) - node.n
                model.row(row, 0.0, _INF)

    add(tree, None)
    if count_held:
        # Among allocations with the smallest gap, count as many held credits as
        # possible.
        for (i, _cat), col in y.items():
            if items[i].cost is None:
                model.cost[col] -= items[i].credit.credits
    return Program(model, y, gaps, gap_nodes, items)


def _always_helps(item: Item, risky: list[Node]) -> bool:
    """One category only, and counting it cannot hurt a cap, a share or a mean score."""
    if len(item.options) > 1:
        return False
    cat = item.options[0]
    for node in risky:
        hit = matches(node.where, item, cat)
        if node.type == "max_share" and hit:
            return False
        if node.type == "min_share" and not hit and matches(node.of, item, cat):
            return False
        if node.type == "min_score" and node.source == "credits" and hit:
            scores = item.credit.scores
            if scores is None or scores.percent < node.n:
                return False
    return True


def _cost_rows(model: _Model, cols: list[int], costs: tuple[float, ...]) -> None:
    """The cost of taking n of a candidate's courses: the n cheapest (costs sorted)."""
    if len(costs) == 1:
        for col in cols:
            model.cost[col] += costs[0]
        return
    # z >= prefix(j) + costs[j] * (n - j) for every j: at an integer n the largest
    # of these lines is the sum of the n cheapest costs (the costs are sorted)
    z = model.var(0, _INF, False, 1.0)
    prefix = 0.0
    for j, c in enumerate(costs):
        row = {z: 1.0}
        row.update({col: -c for col in cols})
        model.row(row, prefix - c * j, _INF)
        prefix += c


def _cap_rows(model: _Model, node: Node, items: Sequence[Item], y: dict) -> None:
    """max_share: in each group, part - limit * whole <= 0 (always enforced)."""
    rows: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (i, cat), col in y.items():
        key = items[i].group if node.per else ""
        w = weight(items[i], node.unit)
        if matches(node.where, items[i], cat):
            rows[key][col] += w
        if matches(node.of, items[i], cat):
            rows[key][col] -= node.limit * w
    for coefs in rows.values():
        if any(v > 0 for v in coefs.values()):
            model.row(coefs, -_INF, 0.0)


def _direct(
    tree: Node, items: Sequence[Item], learner: Learner, policy: Policy
) -> Allocation | None:
    """Count every credit as its own category, when that is provably the best
    allocation.
    """
    assigned = {i: it.options[0] for i, it in enumerate(items)}
    m = measure(tree, items, assigned, learner, policy)
    if m.met:
        return Allocation(assigned, m, "direct")  # no gap, and nothing left uncounted
    leaves = [n for n in walk(tree) if not n.children]
    if any(len(it.options) > 1 for it in items):
        return None
    # With one category per credit, counting every credit maximises every monotone leaf
    # at once; only shares, score means and caps can prefer dropping a credit.
    for leaf in leaves:
        if (
            leaf.type in ("min_share", "max_share", "min_score")
            and leaf.source != "learner_marks"
        ):
            if not measure(leaf, items, assigned, learner, policy).met:
                return None
    return Allocation(assigned, m, "direct")


def allocate(
    tree: Node, items: Sequence[Item], learner: Learner, policy: Policy
) -> Allocation:
    """The allocation with the smallest total gap that counts the most credits."""
    direct = _direct(tree, items, learner, policy)
    if direct is not None:
        return direct
    program = build_program(tree, items, learner, policy)
    x = program.model.solve()
    if x is None:  # cannot happen (dropping every credit is feasible); fail loudly
        raise RuntimeError("allocation program had no solution")
    assigned = program.assignment(x)
    return Allocation(assigned, measure(tree, items, assigned, learner, policy), "milp")
