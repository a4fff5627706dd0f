"""The credit balance as GraphQL types (the arithmetic is app/learners/balance.py)."""

from __future__ import annotations

from datetime import date
from typing import Self

import strawberry

from app.credits import Policy
from app.learners import balance as service


@strawberry.type(description="A named, versioned policy that decided a result.")
class PolicyRef:
    name: str
    version: str

    @classmethod
    def of(cls, policy: Policy) -> Self:
        return cls(name=policy.name, version=policy.version)


@strawberry.type(description="Credits by state: available, redeemed, expired.")
class BalanceGroup:
    key: str = strawberry.field(
        description="The NCrF level or category ('unknown' when not recorded)."
    )
    available: float
    redeemed: float
    expired: float

    @classmethod
    def of(cls, group: service.Group) -> Self:
        return cls(
            key=group.key,
            available=round(group.available, 2),
            redeemed=round(group.redeemed, 2),
            expired=round(group.expired, 2),
        )


@strawberry.type(
    description="Credits as of a date, derived from the ledger. Expiry is the "
    "policy's shelf life (R-ABC-SHELF); redeemed credits are final (R-ABC-DEBIT)."
)
class CreditBalance:
    as_of: date
    policy: PolicyRef
    available: float
    redeemed: float
    expired: float
    by_level: list[BalanceGroup]
    by_category: list[BalanceGroup]
    online_share: float = strawberry.field(
        description="Share (0–1) of the available credits earned in online courses."
    )

    @classmethod
    def of(cls, result: service.CreditBalance) -> Self:
        total = BalanceGroup.of(result.total)
        return cls(
            as_of=result.as_of,
            policy=PolicyRef.of(result.policy),
            available=total.available,
            redeemed=total.redeemed,
            expired=total.expired,
            by_level=[BalanceGroup.of(g) for g in result.by_level],
            by_category=[BalanceGroup.of(g) for g in result.by_category],
            online_share=result.online_share,
        )
