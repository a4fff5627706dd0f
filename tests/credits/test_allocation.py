"""Allocation: each credit once per award, competing categories solved exactly."""

from __future__ import annotations

from hypothesis import given, settings

from app.credits.allocation import allocate
from app.credits.measure import items_for
from app.credits.requirements import parse_tree

from .builders import credit, learner, policy, run
from .strategies import brute_force, credits_lists, trees

BOUNDED = settings(max_examples=50, deadline=None)


def test_greedy_fails_but_the_allocator_finds_the_allocation() -> None:
    # A may be SEC or Minor, B only SEC. First-come gives A to SEC (its own category)
    # and leaves Minor empty; the only allocation that meets both is A->Minor, B->SEC.
    tree = {
        "type": "all_of",
        "children": [
            {
                "type": "min_credits",
                "n": 3,
                "where": {"category": "sec"},
                "rule": "SEC",
            },
            {
                "type": "min_credits",
                "n": 3,
                "where": {"category": "minor"},
                "rule": "MIN",
            },
        ],
    }
    records = [
        credit("A", 3, "sec", also_counts_as=("minor",)),
        credit("B", 3, "sec"),
    ]
    greedy = {c.id: c.category for c in records}  # what first-come would count
    assert list(greedy.values()) == ["sec", "sec"]
    result = run(records, tree)
    assert result.eligible
    assert result.totals.by_category == {"minor": 3, "sec": 3}
    sec, minor = result.checks.children
    assert sec.used == ["B"] and minor.used == ["A"]


def test_a_credit_counts_once_even_when_two_categories_want_it() -> None:
    tree = {
        "type": "all_of",
        "children": [
            {"type": "min_credits", "n": 3, "where": {"category": "sec"}},
            {"type": "min_credits", "n": 3, "where": {"category": "minor"}},
        ],
    }
    result = run([credit("A", 3, "sec", also_counts_as=("minor",))], tree)
    assert not result.eligible
    assert sum(g.short for g in result.missing) == 3


@BOUNDED
@given(credits_lists(), trees())
def test_allocator_matches_brute_force_and_never_double_counts(records, tree) -> None:
    who = learner()
    items = items_for(records, who)
    allocation = allocate(tree, items, who, policy())
    best_short, best_kept = brute_force(tree, items, who, policy())
    assert abs(allocation.measure.short - best_short) < 1e-6
    assert allocation.measure.met == (best_short < 1e-9)
    kept = sum(items[i].credit.credits for i in allocation.assigned)
    assert abs(kept - best_kept) < 1e-6
    # one category per counted credit, and only categories the credit may fill
    for i, cat in allocation.assigned.items():
        assert cat in items[i].options


@BOUNDED
@given(credits_lists(max_size=5), credits_lists(max_size=1, prefix="extra"), trees())
def test_adding_an_admissible_credit_never_loses_eligibility(
    records, extra, tree
) -> None:
    before = run(records, tree.to_json())
    after = run(records + extra, tree.to_json())
    if before.eligible:
        assert after.eligible


def test_tree_round_trips_through_json() -> None:
    from app.credits.awards import builtin_award

    tree = builtin_award("bachelor_honours_research", policy())
    assert parse_tree(tree.to_json()) == tree
