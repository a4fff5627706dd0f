"""Hypothesis strategies and brute force for small allocation and planning cases."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import strategies as st

from app.credits.measure import INFEASIBLE, Item, measure
from app.credits.model import Credit, Learner, Scores
from app.credits.policy import Policy
from app.credits.requirements import Node, parse_tree

from .builders import EARNED

CATS = ("major", "minor", "sec")


@st.composite
def credits_lists(draw, max_size: int = 6, prefix: str = "c") -> list[Credit]:
    size = draw(st.integers(1, max_size))
    out = []
    for i in range(size):
        category = draw(st.sampled_from(CATS))
        also = draw(st.lists(st.sampled_from(CATS), max_size=2, unique=True))
        out.append(
            Credit(
                id=f"{prefix}{i}",
                credits=draw(st.sampled_from((1, 2, 3, 4))),
                provider=draw(st.sampled_from(("home", "home", "swayam", "other"))),
                earned_on=EARNED,
                category=category,
                also_counts_as=tuple(a for a in also if a != category),
                level=4.5,
                semester=draw(st.sampled_from((1, 2))),
                certificate=True,
                # passing NPTEL scores (both parts over the bar), totals 52-100%
                scores=draw(
                    st.one_of(
                        st.none(),
                        st.builds(
                            Scores,
                            st.integers(10, 25),
                            st.just(25),
                            st.integers(30, 75),
                            st.just(75),
                        ),
                    )
                ),
            )
        )
    return out


@st.composite
def trees(draw) -> Node:
    children: list[dict] = []
    for cat in CATS:
        n = draw(st.integers(0, 6))
        if n:
            children.append({"type": "min_credits", "n": n, "where": {"category": cat}})
    children.append({"type": "min_credits", "n": draw(st.integers(1, 12))})
    if draw(st.booleans()):
        children.append(
            {"type": "min_share", "limit": 0.5, "where": {"provider_kind": "home"}}
        )
    if draw(st.booleans()):
        children.append(
            {
                "type": "max_share",
                "limit": 0.4,
                "per": "semester",
                "unit": "courses",
                "where": {"provider_kind": "swayam"},
            }
        )
    if draw(st.booleans()):
        children.append(
            {
                "type": "any_of",
                "children": [
                    {"type": "min_courses", "n": 2, "where": {"category": "sec"}},
                    {
                        "type": "min_credits",
                        "n": draw(st.integers(1, 6)),
                        "where": {"category": "minor"},
                    },
                ],
            }
        )
    return parse_tree({"type": "all_of", "children": children})


def brute_force(
    tree: Node, items: Sequence[Item], learner: Learner, policy: Policy
) -> tuple[float, float]:
    """(smallest gap, most credits counted at that gap) over every allocation."""
    best = (INFEASIBLE, 0.0)
    choices = [(None, *it.options) for it in items]
    for pick in itertools.product(*choices):
        assigned = {i: cat for i, cat in enumerate(pick) if cat is not None}
        short = measure(tree, items, assigned, learner, policy).short
        if short == INFEASIBLE:
            continue
        kept = sum(items[i].credit.credits for i in assigned)
        if (short, -kept) < (best[0], -best[1]):
            best = (short, kept)
    return best
