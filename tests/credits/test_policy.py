"""Policies: built-in values, overrides keyed by rule id, validated."""

from __future__ import annotations

import pytest

from app.credits.errors import PolicyError
from app.credits.policy import derive_policy, get_policy, parse_policy


def test_builtin_defaults_follow_audit_md() -> None:
    p = get_policy("ugc-2023")
    assert p.get("R-ABC-SHELF", "years") == 7
    assert (p.get("R-SWAYAM-CAP", "limit"), p.get("R-SWAYAM-CAP", "unit")) == (
        0.4,
        "courses",
    )
    assert p.on("R-SWAYAM-CAP") and p.on("R-ABC-RES") and not p.on("R-MC-50")
    assert p.get("R-ABC-RES", "swayam_is_home") is False
    assert p.get("R-CERT", "sec_reading") is False
    assert p.get("R-HONR", "cgpa_equivalence") is True


def test_overrides_make_a_derived_policy_and_are_reported() -> None:
    raw = {
        "base": "ugc-2023",
        "overrides": {"R-ABC-SHELF": {"years": 5}, "R-SWAYAM-CAP": {"unit": "credits"}},
    }
    p = parse_policy(raw)
    assert p.get("R-ABC-SHELF", "years") == 5
    assert p.describe()["overrides"] == raw["overrides"]
    assert p.describe()["name"] == "ugc-2023"
    # the base is untouched
    assert get_policy("ugc-2023").get("R-ABC-SHELF", "years") == 7


def test_a_derived_policy_derives_again() -> None:
    college = derive_policy("ugc-2023", {"R-DIP": {"vocational": 8}}, name="college-x")
    again = derive_policy(college, {"R-ABC-SHELF": {"years": 5}})
    assert again.name == "college-x"
    assert again.overrides == {"R-DIP": {"vocational": 8}, "R-ABC-SHELF": {"years": 5}}


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("nope", "policy"),
        ({"base": "ugc-2023", "overrides": {"R-NOPE": {}}}, "policy.overrides.R-NOPE"),
        (
            {"base": "ugc-2023", "overrides": {"R-ABC-SHELF": {"yrs": 5}}},
            "policy.overrides.R-ABC-SHELF.yrs",
        ),
        (
            {"base": "ugc-2023", "overrides": {"R-ABC-SHELF": {"years": "5"}}},
            "policy.overrides.R-ABC-SHELF.years",
        ),
        (
            {"base": "ugc-2023", "overrides": {"R-SWAYAM-CAP": {"unit": "hours"}}},
            "policy.overrides.R-SWAYAM-CAP.unit",
        ),
        (
            {"base": "ugc-2023", "overrides": {"R-SWAYAM-CAP": {"limit": 40}}},
            "policy.overrides.R-SWAYAM-CAP.limit",
        ),
        (
            {"base": "ugc-2023", "overrides": {"R-MC-50": {"enabled": 1}}},
            "policy.overrides.R-MC-50.enabled",
        ),
        ({"overrides": {}}, "policy.base"),
        (3, "policy"),
    ],
)
def test_bad_policies_name_the_path(raw: object, path: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(raw)
    assert info.value.path == path
