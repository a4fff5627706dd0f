"""Ledger rules: no double deposit, atomic redemption, balance by state."""

from __future__ import annotations

from datetime import date

import pytest

from app.credits.ledger import (
    AlreadyRedeemed,
    DoubleDeposit,
    UnknownCredit,
    balance,
    deposit,
    fingerprint,
    redeem,
)

from .builders import policy

D = date(2024, 6, 1)


def _ledger():
    entries = []
    for cid, credits, earned in (
        ("a", 4, D),
        ("b", 3, D),
        ("old", 2, date(2016, 1, 1)),
    ):
        fp = fingerprint("home", "123456789012", cid, earned, credits)
        entries.append(deposit(entries, cid, credits, earned, earned, fp))
    return entries


def test_fingerprint_forbids_a_second_deposit() -> None:
    entries = _ledger()
    fp = fingerprint("home", "123456789012", "a", D, 4)
    with pytest.raises(DoubleDeposit) as info:
        deposit(entries, "a-again", 4, D, D, fp)
    assert info.value.code == "DOUBLE_DEPOSIT"
    assert fingerprint("home", "123456789012", "a", D, 3) != fp


def test_redeem_is_all_or_nothing_and_only_once() -> None:
    entries = _ledger()
    debits = redeem(entries, ["a", "b"], "ug_certificate", date(2025, 1, 1), policy())
    assert [(d.credit_id, d.award) for d in debits] == [
        ("a", "ug_certificate"),
        ("b", "ug_certificate"),
    ]
    entries += debits
    with pytest.raises(AlreadyRedeemed):
        redeem(entries, ["b"], "ug_diploma", date(2025, 2, 1), policy())
    fresh = _ledger()
    with pytest.raises(UnknownCredit):
        redeem(fresh, ["a", "zzz"], "ug_certificate", date(2025, 1, 1), policy())


def test_expired_credits_cannot_be_redeemed() -> None:
    with pytest.raises(Exception, match="shelf life"):
        redeem(_ledger(), ["old"], "ug_certificate", date(2025, 1, 1), policy())


def test_balance_by_state_as_of_a_date() -> None:
    entries = _ledger()
    entries += redeem(entries, ["a"], "ug_certificate", date(2025, 1, 1), policy())
    now = balance(entries, date(2025, 6, 1), policy())
    assert (now.available, now.redeemed, now.expired) == (3, 4, 2)
    before = balance(entries, date(2024, 12, 1), policy())
    assert (before.available, before.redeemed, before.expired) == (7, 0, 2)
    five = balance(entries, date(2029, 7, 1), policy({"R-ABC-SHELF": {"years": 5}}))
    assert (five.available, five.redeemed, five.expired) == (0, 4, 5)
