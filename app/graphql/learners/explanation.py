"""The engine's explanation tree as typed GraphQL objects.

A Check is recursive (children are Checks): a client asks for as many levels
as it shows. Credit ids are turned into Credential global IDs, so a client
can fetch the credentials that counted through node(id).
"""

from __future__ import annotations

from datetime import date
from typing import Self

import strawberry
from strawberry import relay

from app.credits import Check as EngineCheck
from app.credits import Evaluation
from app.credits import Exclusion as EngineExclusion
from app.credits import Gap as EngineGap
from app.graphql.learners.balance import PolicyRef


def credential_gid(credit_id: str) -> str:
    return (
        relay.to_base64("Credential", credit_id) if credit_id.isdigit() else credit_id
    )


@strawberry.type(description="A credential that does not count, and why.")
class Exclusion:
    credential: strawberry.ID = strawberry.field(description="Credential global ID.")
    reason: str = strawberry.field(
        description="expired, cap, unregistered, already_redeemed, no_certificate…"
    )
    rule: str
    detail: str

    @classmethod
    def of(cls, e: EngineExclusion) -> Self:
        return cls(
            credential=strawberry.ID(credential_gid(e.id)),
            reason=e.reason,
            rule=e.rule,
            detail=e.detail,
        )


@strawberry.type(description="One rule check of an eligibility result.")
class Check:
    rule: str = strawberry.field(
        description="RULES.md rule id (R-DEG3, R-SWAYAM-CAP…)."
    )
    type: str = strawberry.field(
        description="Node type: all_of, min_credits, max_share…"
    )
    description: str
    required: float
    actual: float
    met: bool
    used: list[strawberry.ID] = strawberry.field(
        description="Global IDs of the credentials this check counted."
    )
    excluded: list[Exclusion]
    children: list[Check]

    @classmethod
    def of(cls, c: EngineCheck) -> Self:
        return cls(
            rule=c.rule,
            type=c.type,
            description=c.description,
            required=round(c.required, 4),
            actual=round(c.actual, 4),
            met=c.met,
            used=[strawberry.ID(credential_gid(u)) for u in c.used],
            excluded=[Exclusion.of(e) for e in c.excluded],
            children=[cls.of(child) for child in c.children],
        )


@strawberry.type(description="What one unmet rule still needs, in its own unit.")
class Gap:
    rule: str
    what: str
    required: float
    actual: float
    short: float

    @classmethod
    def of(cls, g: EngineGap) -> Self:
        return cls(
            rule=g.rule,
            what=g.what,
            required=round(g.required, 4),
            actual=round(g.actual, 4),
            short=round(g.short, 4),
        )


@strawberry.type(
    description="Whether a learner meets an award's requirements under a policy "
    "on a date, with the tree of rule checks that decided it."
)
class Eligibility:
    award: str
    policy: PolicyRef
    as_of: date
    eligible: bool
    checks: Check
    excluded: list[Exclusion]
    missing: list[Gap]
    used: list[strawberry.ID]
    total_credits: float
    credit_points: float = strawberry.field(description="Credits × NCrF level.")

    @classmethod
    def of(cls, e: Evaluation) -> Self:
        return cls(
            award=e.award,
            policy=PolicyRef.of(e.policy),
            as_of=e.as_of,
            eligible=e.eligible,
            checks=Check.of(e.checks),
            excluded=[Exclusion.of(x) for x in e.excluded],
            missing=[Gap.of(g) for g in e.missing],
            used=[strawberry.ID(credential_gid(u)) for u in e.used],
            total_credits=round(e.totals.credits, 4),
            credit_points=round(e.totals.credit_points, 4),
        )
