"""Units: every derivation names its rule; a stated value wins."""

from __future__ import annotations

import pytest

from app.credits.errors import InputError
from app.credits.units import (
    from_contact_hours,
    from_ects,
    from_internship_weeks,
    from_us_credit_hours,
    from_weeks,
    resolve_credits,
)

from .builders import policy


def test_notional_hours_and_stated_value() -> None:
    value = resolve_credits(policy(), notional_hours=120)
    assert (value.credits, value.rule, value.source) == (4, "NCRF-HOURS", "derived")
    stated = resolve_credits(policy(), stated=3, notional_hours=120, weeks=12)
    assert (stated.credits, stated.source, stated.rule) == (3, "stated", None)
    assert resolve_credits(policy()) is None


def test_contact_hours_lecture_and_practical() -> None:
    value = from_contact_hours(45, 30, policy())
    assert value.credits == 4 and value.rule == "UGC-CREDIT"


def test_ects_method_is_a_policy_choice() -> None:
    assert from_ects(6, policy()).credits == 6  # 6 x 30 h / 30
    year = policy({"NCRF-ECTS": {"method": "year_volume"}})
    assert from_ects(6, year).credits == 4  # 60 ECTS = 40 credits
    low = policy({"ECTS": {"hours": 25}})
    assert from_ects(6, low).credits == 5


def test_us_credit_hours() -> None:
    assert from_us_credit_hours(2, policy()).credits == 3  # 90 h / 30


def test_nptel_weeks_by_institution_policy() -> None:
    assert [from_weeks(w, policy()).credits for w in (4, 8, 12)] == [1, 2, 3]
    assert from_weeks(12, policy()).source == "institution_policy"
    other = policy({"R-NPTEL-WEEKS": {"credits_by_weeks": {"12": 4}}})
    assert from_weeks(12, other).credits == 4
    with pytest.raises(InputError):
        from_weeks(6, policy())


def test_internship_one_credit_a_week_at_most_six() -> None:
    assert from_internship_weeks(4, policy()).credits == 4
    assert from_internship_weeks(10, policy()).credits == 6
    assert resolve_credits(policy(), internship_weeks=10).rule == "ABC-INTERN"
