"""Verification reports and the EU Annex I view as GraphQL types.

Thin: built from the JSON that app/credentials stores (`report.to_dict()` in
`Credential.verification`, `eu_view` for the Annex I elements), so a stored
report and a fresh one read the same way.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry


@strawberry.enum(
    description="VALID: every check passed or did not apply. INVALID: a check "
    "failed. INDETERMINATE: nothing failed but something could not be checked "
    "(e.g. a status list that did not answer)."
)
class Verdict(Enum):
    VALID = "valid"
    INVALID = "invalid"
    INDETERMINATE = "indeterminate"


@strawberry.enum(description="The outcome of one verification check.")
class CheckStatus(Enum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"
    NOT_APPLICABLE = "not_applicable"


@strawberry.type(
    description="One check of a verification: proof, issuer_key, "
    "validity_period, status, schema (and credentials for a CLR)."
)
class VerificationCheck:
    name: str
    status: CheckStatus
    detail: str

    @classmethod
    def of(cls, check: dict[str, Any]) -> Self:
        return cls(
            name=str(check.get("name", "")),
            status=CheckStatus(check.get("status", "indeterminate")),
            detail=str(check.get("detail") or ""),
        )


@strawberry.type(description="The issuer as the credential names it.")
class VerifiedIssuer:
    id: str | None
    name: str | None
    url: str | None


@strawberry.type(description="What the credential says was achieved.")
class VerifiedAchievement:
    name: str | None
    credits: float | None
    credits_source: str | None = strawberry.field(
        description="The field the credits were read from."
    )


def _text(value: Any) -> str | None:
    # issuer names may be language maps in some formats: keep them readable
    return None if value is None else str(value)


@strawberry.type(description="The outcome of verifying a credential.")
class Verification:
    verdict: Verdict
    format: str = strawberry.field(
        description="ob2-hosted, ob2-signed, ob3-vc2, vc1, vc-jwt or clr2."
    )
    credential_id: str | None = strawberry.field(
        description="The `id` the credential gives itself."
    )
    checked_at: datetime | None
    checks: list[VerificationCheck]
    issuer: VerifiedIssuer
    achievement: VerifiedAchievement
    credentials: list[Verification] = strawberry.field(
        description="For a CLR: the report of each nested credential."
    )

    @classmethod
    def of(cls, report: dict[str, Any], checked_at: datetime | None) -> Self:
        issuer = report.get("issuer") or {}
        achievement = report.get("achievement") or {}
        credits = achievement.get("credits")
        return cls(
            verdict=Verdict(report.get("verdict", "indeterminate")),
            format=str(report.get("format", "")),
            credential_id=report.get("id"),
            checked_at=checked_at,
            checks=[VerificationCheck.of(c) for c in report.get("checks") or []],
            issuer=VerifiedIssuer(
                id=_text(issuer.get("id")),
                name=_text(issuer.get("name")),
                url=_text(issuer.get("url")),
            ),
            achievement=VerifiedAchievement(
                name=_text(achievement.get("name")),
                credits=float(credits) if credits is not None else None,
                credits_source=achievement.get("credits_source"),
            ),
            credentials=[
                cls.of(n, checked_at) for n in report.get("credentials") or []
            ],
        )


@strawberry.type(description="One mandatory element of Annex I.")
class EuElement:
    element: str
    value: str | None
    source: str | None = strawberry.field(
        description="The credential field the value was read from."
    )
    missing: bool


@strawberry.type(
    description="The EU micro-credential view (Council Recommendation "
    "2022/C 243/02, Annex I): each mandatory element found or missing."
)
class EuMicroCredential:
    complete: bool
    missing: list[str]
    elements: list[EuElement]

    @classmethod
    def of(cls, view: dict[str, Any]) -> Self:
        return cls(
            complete=bool(view["complete"]),
            missing=list(view["missing"]),
            elements=[
                EuElement(
                    element=e["element"],
                    value=e["value"],
                    source=e["source"],
                    missing=e["missing"],
                )
                for e in view["elements"]
            ],
        )
