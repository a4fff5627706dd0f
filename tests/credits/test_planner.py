"""Gap plans: exact against brute force, respecting dates, caps and categories."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.credits.awards import builtin_award
from app.credits.evaluation import evaluate
from app.credits.planner import CatalogueCourse, as_credit, plan

from .builders import AS_OF, certificate_base, learner, many, policy
from .strategies import CATS, credits_lists, trees


def course(cid: str, credits: float = 4, hours: float = 120, **kw) -> CatalogueCourse:
    values = {
        "title": cid,
        "provider": "home",
        "fee": 1000.0,
        "weeks": 12,
        "start": date(2025, 9, 1),
        "level": 4.5,
        "category": "major",
    }
    values.update(kw)
    return CatalogueCourse(id=cid, credits=credits, hours=hours, **values)


def _plan(held, catalogue, award="ug_certificate", minimise="hours", overrides=None):
    pol = policy(overrides)
    tree = builtin_award(award, pol) if isinstance(award, str) else award
    return plan(held, learner(), tree, "custom", pol, AS_OF, catalogue, minimise)


def test_eligible_learner_needs_no_courses() -> None:
    result = _plan(certificate_base(40, 4), [course("k")])
    assert result.feasible and result.courses == []


def test_plan_closes_category_gaps_at_least_hours() -> None:
    held = certificate_base(32, 4)  # 8 short
    catalogue = [
        course("big", 8, 300),
        course("a", 4, 100),
        course("b", 4, 110),
        course("c", 4, 90, start=AS_OF - timedelta(days=1)),  # already started
        course("d", 4, 50, issuer_registered=False, provider="acme"),  # would not count
        course("e", 4, 40, level=4),  # school level
    ]
    result = _plan(held, catalogue)
    assert [c.id for c in result.courses] == ["a", "b"]
    assert result.total_hours == 210 and result.total_fee == 2000
    assert result.closes == {"a": ["R-CERT credits"], "b": ["R-CERT credits"]}


def test_plan_minimises_fee_or_weeks_when_asked() -> None:
    held = certificate_base(36, 4)
    catalogue = [
        course("slow_cheap", 4, 200, fee=10, weeks=20),
        course("fast", 4, 100, fee=500, weeks=4),
        course("mid", 4, 150, fee=100, weeks=8, start=date(2025, 8, 11)),
    ]
    assert [c.id for c in _plan(held, catalogue).courses] == ["fast"]
    assert [c.id for c in _plan(held, catalogue, minimise="fee").courses] == [
        "slow_cheap"
    ]
    weeks = _plan(held, catalogue, minimise="weeks")
    assert [c.id for c in weeks.courses] == ["fast"]  # ends 4 weeks after 1 Sept
    assert round(weeks.weeks, 2) == round(31 / 7 + 4, 2)


def test_plan_respects_the_swayam_cap() -> None:
    # 4 credits short; a 1-hour SWAYAM course alone would break the 40% cap in its
    # semester, so the plan must pair it with a home course or take a home course
    held = certificate_base(36, 4)
    catalogue = [
        course("online", 4, 1, provider="swayam"),
        course("home", 4, 100),
    ]
    result = _plan(held, catalogue)
    assert [c.id for c in result.courses] == ["home"]
    result = _plan(held, catalogue, overrides={"R-SWAYAM-CAP": {"enabled": False}})
    assert [c.id for c in result.courses] == ["online"]


def test_no_plan_says_which_rule_cannot_be_met() -> None:
    held = certificate_base(36, 0)
    result = _plan(held, [course("k", 4, 100)])
    assert not result.feasible
    assert [(g.rule, g.what, g.short) for g in result.unmet] == [
        ("R-CERT", "vocational credits", 4)
    ]


def test_plan_uses_also_counts_as_categories() -> None:
    tree_json = {
        "type": "all_of",
        "children": [
            {
                "type": "min_credits",
                "n": 4,
                "where": {"category": "sec"},
                "rule": "SEC",
            },
            {
                "type": "min_credits",
                "n": 4,
                "where": {"category": "minor"},
                "rule": "MIN",
            },
        ],
    }
    from app.credits.requirements import parse_tree

    held = many("h", 1, 4, "sec", also_counts_as=("minor",))
    catalogue = [
        course("s", 4, 50, category="sec"),
        course("m", 4, 80, category="minor"),
    ]
    result = _plan(held, catalogue, award=parse_tree(tree_json))
    assert [c.id for c in result.courses] == ["s"]  # the held course moves to minor


@st.composite
def catalogues(draw):
    size = draw(st.integers(1, 6))
    return [
        course(
            f"k{i}",
            draw(st.sampled_from((1, 2, 4))),
            draw(st.integers(10, 200)),
            category=draw(st.sampled_from(CATS)),
            provider=draw(st.sampled_from(("home", "swayam", "other"))),
            fee=float(draw(st.integers(0, 500))),
            weeks=draw(st.sampled_from((4, 8, 12))),
            start=AS_OF + timedelta(days=draw(st.integers(0, 200))),
        )
        for i in range(size)
    ]


def _objective(courses, minimise: str) -> tuple[float, ...]:
    """What each objective minimises (weeks: the last end, then the hours)."""
    hours = sum(c.hours for c in courses)
    if minimise == "fee":
        return (sum(c.fee for c in courses),)
    if minimise == "weeks":
        return (max((c.end_week(AS_OF) for c in courses), default=0.0), hours)
    return (hours,)


@settings(max_examples=50, deadline=None)
@given(
    credits_lists(max_size=4),
    catalogues(),
    trees(),
    st.sampled_from(("hours", "fee", "weeks")),
)
def test_plan_is_as_cheap_as_brute_force_and_makes_the_learner_eligible(
    held, catalogue, tree, minimise
) -> None:
    pol = policy()
    who = learner()
    result = plan(held, who, tree, "custom", pol, AS_OF, catalogue, minimise)
    best = None
    for r in range(len(catalogue) + 1):
        for subset in itertools.combinations(catalogue, r):
            cost = _objective(subset, minimise)
            if best is not None and cost >= best:
                continue
            extra = [as_credit(c) for c in subset]
            if evaluate(held + extra, who, tree, "custom", pol, AS_OF).eligible:
                best = cost
    assert result.feasible == (best is not None)
    if result.feasible:
        got = _objective(result.courses, minimise)
        assert all(abs(a - b) < 1e-6 for a, b in zip(got, best, strict=True))
        applied = held + [as_credit(c) for c in result.courses]
        assert evaluate(applied, who, tree, "custom", pol, AS_OF).eligible
    else:
        assert result.unmet  # names what cannot be met


@st.composite
def crowded_catalogues(draw):
    """Many interchangeable courses, so pruning has something to cut."""
    size = draw(st.integers(10, 40))
    return [
        course(
            f"k{i}",
            draw(st.sampled_from((1, 2))),
            draw(st.integers(10, 60)),
            category=draw(st.sampled_from(CATS)),
            provider=draw(st.sampled_from(("home", "swayam"))),
        )
        for i in range(size)
    ]


@settings(max_examples=30, deadline=None)
@given(credits_lists(max_size=4), crowded_catalogues(), trees())
def test_pruning_keeps_the_optimum(held, catalogue, tree) -> None:
    import app.credits.candidates as candidates

    pol, who = policy(), learner()
    pruned = plan(held, who, tree, "custom", pol, AS_OF, catalogue, "hours")
    original = candidates._cut

    def keep_all(kinds, needs, cost, helpers=True):
        return [
            candidates._kind(key, courses, len(courses), cost)
            for key, courses in kinds.items()
        ]

    candidates._cut = keep_all
    try:
        full = plan(held, who, tree, "custom", pol, AS_OF, catalogue, "hours")
    finally:
        candidates._cut = original
    assert pruned.feasible == full.feasible
    if full.feasible:
        assert abs(pruned.total_hours - full.total_hours) < 1e-6


def test_plan_can_add_home_courses_that_let_held_external_credits_count() -> None:
    # 8 home credits: at 50% residency only 8 of the 12 external minor credits
    # count, 2 short of 10. A cheap home major course (no minor at all) lets all
    # 12 count, which beats a dear home minor course.
    from app.credits.requirements import parse_tree

    tree = parse_tree(
        {
            "type": "all_of",
            "children": [
                {"type": "min_credits", "n": 10, "where": {"category": "minor"}},
                {"type": "min_share", "limit": 0.5, "where": {"provider_kind": "home"}},
            ],
        }
    )
    held = many("h", 2, 4, "major") + many("x", 3, 4, "minor", provider="coursera")
    catalogue = [
        course("dear_minor", 2, 200, category="minor"),
        course("cheap_major", 4, 10, category="major"),
    ]
    result = _plan(held, catalogue, award=tree)
    assert [c.id for c in result.courses] == ["cheap_major"]


def test_helpers_alone_can_close_a_gap() -> None:
    # no minor course in the catalogue at all: only home courses that let the held
    # external minor credits count can close the minor gap
    from app.credits.requirements import parse_tree

    tree = parse_tree(
        {
            "type": "all_of",
            "children": [
                {"type": "min_credits", "n": 10, "where": {"category": "minor"}},
                {"type": "min_share", "limit": 0.5, "where": {"provider_kind": "home"}},
            ],
        }
    )
    held = many("h", 2, 4, "major") + many("x", 3, 4, "minor", provider="coursera")
    result = _plan(held, [course("major", 4, 10, category="major")], award=tree)
    assert result.feasible and [c.id for c in result.courses] == ["major"]
