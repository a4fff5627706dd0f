"""The audit file contract: validation errors name the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.credits.audit_io import INPUT_SCHEMA, parse_request
from app.credits.errors import InputError

GOOD: dict[str, Any] = {
    "policy": "ugc-2023",
    "award": "ug_certificate",
    "as_of": "2025-08-01",
    "learner": {"apaar_id": "123456789012", "home_institution": "home"},
    "credits": [
        {
            "id": f"c{i}",
            "credits": 4,
            "level": 4.5,
            "category": "major",
            "provider": "home",
            "issuer_registered": True,
            "earned_on": "2025-05-30",
            "semester": 1,
            "kind": "course",
        }
        for i in range(5)
    ],
}


def _with(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(GOOD)
    target: Any = raw
    keys = path.replace("[", ".").replace("]", "").split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return raw


def test_good_input_parses_and_ignores_unknown_fields() -> None:
    raw = _with("credits[0].colour", "blue")
    request = parse_request(raw)
    assert request.award == "ug_certificate" and len(request.credits) == 5


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("credits[3].earned_on", "30/05/2025", "credits[3].earned_on: not a date"),
        ("credits[3].earned_on", KeyError, "credits[3].earned_on: required"),
        ("credits[1].credits", 0, "credits[1].credits: must be greater than 0"),
        ("credits[1].credits", "4", "credits[1].credits: not a number"),
        ("credits[2].category", "art", "credits[2].category: must be one of"),
        (
            "credits[2].issuer_registered",
            "yes",
            "credits[2].issuer_registered: must be",
        ),
        ("credits[0].semester", 9, "credits[0].semester: must be a semester number"),
        (
            "credits[0].scores",
            {"assignment": 1},
            "credits[0].scores.assignment_max: required",
        ),
        ("learner.apaar_id", "12345", "learner.apaar_id: must be 12 digits"),
        ("learner.apaar_id", 123456789012, "learner.apaar_id: must be 12 digits"),
        ("learner.apaar_id", KeyError, "learner.apaar_id: required"),
        ("as_of", KeyError, "as_of: required"),
        ("as_of", "2025-13-01", "as_of: not a date"),
        ("award", "phd", "award: unknown award"),
        (
            "award",
            {"type": "n_of", "n": 0, "children": [{"type": "min_credits", "n": 1}]},
            "award.n: must be a positive integer",
        ),
        ("credits", {}, "credits: must be a list"),
    ],
)
def test_bad_fields_are_named(path: str, value: Any, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_request(_with(path, value))
    assert str(info.value).startswith(message)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InputError, match=r"credits\[1\]\.id: duplicate id 'c0'"):
        parse_request(_with("credits[1].id", "c0"))


def test_schema_lists_the_required_fields() -> None:
    assert INPUT_SCHEMA["required"] == [
        "policy",
        "award",
        "as_of",
        "learner",
        "credits",
    ]
    credit = INPUT_SCHEMA["properties"]["credits"]["items"]
    assert "earned_on" in credit["required"]
    assert "vocational" in credit["properties"]["category"]["enum"]
