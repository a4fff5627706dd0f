"""Admissibility: each per-credit rule excludes with its reason code, and its switch."""

from __future__ import annotations

from datetime import date

import pytest

from app.credits.admissibility import check_credits
from app.credits.model import Scores

from .builders import AS_OF, certificate_base, credit, policy, reasons, run


def _reason(c, overrides=None, award="ug_certificate", as_of=AS_OF):
    result = check_credits([c], policy(overrides), as_of, award)
    return result.excluded[0].reason if result.excluded else None


@pytest.mark.parametrize(
    ("earned", "years", "expired"),
    [
        (date(2018, 7, 31), None, True),  # 7 years ended 2025-07-31
        (date(2018, 8, 1), None, False),  # the last day of the shelf life
        (date(2020, 7, 1), None, False),
        (date(2020, 7, 1), 5, True),  # an institution's 5-year shelf life
        (date(2020, 8, 1), 5, False),
    ],
)
def test_shelf_life(earned: date, years: int | None, expired: bool) -> None:
    overrides = {"R-ABC-SHELF": {"years": years}} if years else None
    got = _reason(credit("c", earned_on=earned), overrides)
    assert got == ("expired" if expired else None)


def test_shelf_life_switch_off_and_deposit_clock() -> None:
    old = credit("c", earned_on=date(2010, 1, 1), deposited_on=date(2020, 1, 1))
    assert _reason(old) == "expired"
    assert _reason(old, {"R-ABC-SHELF": {"enabled": False}}) is None
    assert _reason(old, {"R-ABC-SHELF": {"clock": "deposit_date"}}) is None


@pytest.mark.parametrize(
    ("scores", "passed"),
    [
        ((10, 25, 30, 75), True),  # both thresholds exactly
        ((9.9, 25, 75, 75), False),  # assignments fail whatever the exam
        ((25, 25, 29, 75), False),  # exam fails whatever the total (54 > 40)
        ((40, 100, 40, 100), True),  # scaled: 10/25 and 30/75
        ((40, 100, 39, 100), False),  # exam 29.25/75
    ],
)
def test_nptel_pass_rule(scores: tuple, passed: bool) -> None:
    c = credit("n", provider="nptel", scores=Scores(*scores))
    assert _reason(c) == (None if passed else "failed")
    assert _reason(c, {"R-NPTEL-PASS": {"enabled": False}}) is None


def test_nptel_thresholds_are_policy_values() -> None:
    c = credit("n", provider="nptel", scores=Scores(12, 25, 28, 75))
    assert _reason(c) == "failed"
    assert _reason(c, {"R-NPTEL-PASS": {"exam_min": 25}}) is None


def test_swayam_needs_host_certificate() -> None:
    assert _reason(credit("s", provider="swayam")) == "no_certificate"
    assert (
        _reason(credit("s", provider="swayam", certificate=False)) == "no_certificate"
    )
    assert _reason(credit("s", provider="swayam", certificate=True)) is None
    off = {"R-SWAYAM-CERT": {"enabled": False}}
    assert _reason(credit("s", provider="swayam"), off) is None
    # other providers need no host certificate
    assert _reason(credit("x", provider="coursera")) is None


def test_unregistered_issuer() -> None:
    c = credit("u", provider="acme", issuer_registered=False)
    assert _reason(c) == "unregistered"
    assert _reason(c, {"R-ABC-REG": {"recognised": ["acme"]}}) is None
    assert _reason(c, {"R-ABC-REG": {"enabled": False}}) is None


def test_already_redeemed_is_final_by_default() -> None:
    c = credit("r", redeemed_for="ug_certificate")
    assert _reason(c, award="ug_diploma") == "already_redeemed"
    assert _reason(c, award="ug_certificate") is None  # the award it was redeemed for
    back = {"R-ABC-DEBIT": {"return_on_reentry": True}}
    assert _reason(c, back, award="ug_diploma") is None
    # the switch is about exit awards coming back, not any redemption
    other = credit("r", redeemed_for="bachelor")
    assert _reason(other, back, award="bachelor_honours") == "already_redeemed"


def test_school_levels_are_wrong_level() -> None:
    assert _reason(credit("l", level=4)) == "wrong_level"
    assert _reason(credit("l", level=4.5)) is None


def test_excluded_credit_does_not_count_and_says_why() -> None:
    # 40 credits only if the SWAYAM course counts; without a certificate it does not
    records = certificate_base(36) + [credit("s", provider="swayam", semester=2)]
    result = run(records)
    assert not result.eligible
    assert reasons(result) == {"s": "no_certificate"}
    leaf = result.checks.children[0]
    assert [e.id for e in leaf.excluded] == ["s"]
