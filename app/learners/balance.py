"""A learner's credit balance as of a date, in total and by level and category.

Derived from the ledger every time (ABC regs 8.7: the entries are the record;
a balance is never stored). The per-state rules (redeemed, expired by shelf
life) are the engine's `ledger.balance`, applied credential by credential so
the groups add up to the totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from app.credits import Policy
from app.credits.ledger import Balance, balance
from app.learners.records import LearnerRecord


@dataclass
class Group:
    key: str
    available: float = 0.0
    redeemed: float = 0.0
    expired: float = 0.0

    def add(self, part: Balance) -> None:
        self.available += part.available
        self.redeemed += part.redeemed
        self.expired += part.expired


@dataclass
class CreditBalance:
    as_of: date
    policy: Policy
    total: Group
    by_level: list[Group] = field(default_factory=list)
    by_category: list[Group] = field(default_factory=list)
    # share of the available credits earned in online courses (0 when none)
    online_share: float = 0.0


def _level_key(level: float | None) -> str:
    return "unknown" if level is None else f"{level:g}"


def credit_balance(record: LearnerRecord, as_of: date, policy: Policy) -> CreditBalance:
    entries = defaultdict(list)
    for entry in record.ledger:
        entries[entry.credit_id].append(entry)
    total = Group("total")
    levels: dict[str, Group] = {}
    categories: dict[str, Group] = {}
    online = 0.0
    for credit in record.credits:
        part = balance(entries.get(credit.id, []), as_of, policy)
        total.add(part)
        levels.setdefault(
            _level_key(credit.level), Group(_level_key(credit.level))
        ).add(part)
        categories.setdefault(credit.category, Group(credit.category)).add(part)
        if credit.id in record.online:
            online += part.available
    return CreditBalance(
        as_of=as_of,
        policy=policy,
        total=total,
        by_level=sorted(levels.values(), key=lambda g: g.key),
        by_category=sorted(categories.values(), key=lambda g: g.key),
        online_share=round(online / total.available, 4) if total.available else 0.0,
    )
