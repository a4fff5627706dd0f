"""ABC-style ledger rules as pure functions over plain entries.

The database stores entries; these functions decide what may be appended. A
deposit's fingerprint forbids a second deposit of the same credential; a redemption
debits every credit once, all or nothing (R-ABC-DEBIT); the balance is derived
from the entries as of a date, never stored (R-ABC-SHELF decides what expired).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from app.credits.admissibility import add_years
from app.credits.errors import LedgerError
from app.credits.policy import Policy

DEPOSIT = "deposit"
DEBIT = "debit"


class DoubleDeposit(LedgerError):
    code = "DOUBLE_DEPOSIT"


class AlreadyRedeemed(LedgerError):
    code = "ALREADY_REDEEMED"


class UnknownCredit(LedgerError):
    code = "UNKNOWN_CREDIT"


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # DEPOSIT or DEBIT
    credit_id: str
    credits: float
    on: date  # the day of the entry
    earned_on: date  # the result date (the shelf-life clock)
    fingerprint: str = ""
    award: str | None = None  # DEBIT: the award redeemed


@dataclass(frozen=True)
class Balance:
    available: float
    redeemed: float
    expired: float


def fingerprint(
    issuer: str, learner: str, course: str, earned_on: date, credits: float
) -> str:
    """The identity of a credential: the same result deposited twice shares it."""
    text = "\x1f".join([issuer, learner, course, earned_on.isoformat(), f"{credits:g}"])
    return hashlib.sha256(text.encode()).hexdigest()


def deposit(
    entries: Sequence[LedgerEntry],
    credit_id: str,
    credits: float,
    earned_on: date,
    on: date,
    print_: str,
) -> LedgerEntry:
    """The entry to append for a deposit; refuses a second deposit of one credential."""
    for entry in entries:
        if entry.kind == DEPOSIT and (
            entry.fingerprint == print_ or entry.credit_id == credit_id
        ):
            raise DoubleDeposit(
                credit_id, f"already deposited on {entry.on.isoformat()}"
            )
    return LedgerEntry(DEPOSIT, credit_id, credits, on, earned_on, print_)


def _expired(entry: LedgerEntry, as_of: date, policy: Policy) -> bool:
    if not policy.on("R-ABC-SHELF"):
        return False
    return as_of > add_years(entry.earned_on, int(policy.get("R-ABC-SHELF", "years")))


def redeem(
    entries: Sequence[LedgerEntry],
    credit_ids: Iterable[str],
    award: str,
    on: date,
    policy: Policy,
) -> list[LedgerEntry]:
    """The debit entries for an award: all or none (R-ABC-DEBIT, R-ABC-SHELF)."""
    deposits = {e.credit_id: e for e in entries if e.kind == DEPOSIT}
    debited = {e.credit_id: e for e in entries if e.kind == DEBIT}
    wanted = list(dict.fromkeys(credit_ids))
    for credit_id in wanted:
        if credit_id not in deposits:
            raise UnknownCredit(credit_id, "never deposited")
        if credit_id in debited:
            raise AlreadyRedeemed(
                credit_id,
                f"already redeemed for {debited[credit_id].award} (R-ABC-DEBIT)",
            )
        if _expired(deposits[credit_id], on, policy):
            raise LedgerError(credit_id, "shelf life over (R-ABC-SHELF)")
    return [
        LedgerEntry(
            DEBIT, cid, deposits[cid].credits, on, deposits[cid].earned_on, award=award
        )
        for cid in wanted
    ]


def balance(entries: Sequence[LedgerEntry], as_of: date, policy: Policy) -> Balance:
    """Credits by state as of a date: available, redeemed, expired."""
    debited = {e.credit_id for e in entries if e.kind == DEBIT and e.on <= as_of}
    available = redeemed = expired = 0.0
    for entry in entries:
        if entry.kind != DEPOSIT or entry.on > as_of:
            continue
        if entry.credit_id in debited:
            redeemed += entry.credits
        elif _expired(entry, as_of, policy):
            expired += entry.credits
        else:
            available += entry.credits
    return Balance(available, redeemed, expired)
