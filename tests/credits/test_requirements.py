"""The tree language: validation names the path of the bad node."""

from __future__ import annotations

import pytest

from app.credits.errors import TreeError
from app.credits.requirements import parse_tree


def _error(raw: object) -> str:
    with pytest.raises(TreeError) as info:
        parse_tree(raw)
    return str(info.value)


LEAF = {"type": "min_credits", "n": 4}


def test_bad_n_of_child_names_its_path() -> None:
    raw = {
        "type": "all_of",
        "children": [LEAF, LEAF, {"type": "n_of", "n": 0, "children": [LEAF]}],
    }
    assert _error(raw) == "children[2].n: must be a positive integer"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "some_of"}, "type: must be one of"),
        ({"type": "all_of", "children": []}, "children: must be a non-empty list"),
        ({"type": "n_of", "n": 3, "children": [LEAF]}, "n: must be at most 1"),
        (
            {"type": "n_of", "n": 1.5, "children": [LEAF, LEAF]},
            "n: must be a positive integer",
        ),
        ({"type": "min_credits", "n": -1}, "n: must be a positive number"),
        (
            {"type": "min_credits", "n": 4, "where": {"category": "maths"}},
            "where.category: unknown value 'maths'",
        ),
        (
            {"type": "min_credits", "n": 4, "where": {"category": ["major", "x"]}},
            "where.category[1]: unknown value 'x'",
        ),
        (
            {"type": "min_credits", "n": 4, "where": {"colour": "red"}},
            "where.colour: unknown filter",
        ),
        ({"type": "max_share", "limit": 1.5}, "limit: must be a fraction"),
        ({"type": "max_share", "limit": 0.4, "per": "year"}, "per: must be semester"),
        ({"type": "course"}, "ref: must be a non-empty course id"),
        (
            {"type": "min_score", "min": 60, "source": "vibes"},
            "source: must be credits",
        ),
        ([], "must be an object"),
    ],
)
def test_validation_errors(raw: object, message: str) -> None:
    assert _error(raw).lstrip(": ").startswith(message)


def test_every_node_type_parses() -> None:
    raw = {
        "type": "all_of",
        "rule": "P-1",
        "children": [
            {"type": "course", "ref": "nptel-ml"},
            {"type": "min_courses", "n": 2, "where": {"provider_kind": ["swayam"]}},
            {"type": "min_credits", "n": 6, "where": {"level_min": 5, "subject": "ai"}},
            {"type": "max_share", "limit": 0.5, "where": {"kind": "micro_credential"}},
            {"type": "min_share", "limit": 0.5, "where": {"provider_kind": "home"}},
            {"type": "min_score", "min": 60, "where": {"category": "major"}},
            {"type": "any_of", "children": [LEAF]},
            {"type": "n_of", "n": 1, "children": [LEAF, LEAF]},
        ],
    }
    tree = parse_tree(raw)
    assert [c.type for c in tree.children][:6] == [
        "course",
        "min_courses",
        "min_credits",
        "max_share",
        "min_share",
        "min_score",
    ]
    assert parse_tree(tree.to_json()) == tree
