"""The verification report: what `credgraph verify` prints and the API returns.

Every check ends in one of four states. The verdict follows from them: any failed
check makes the credential invalid; otherwise anything that could not be checked
(a status list that did not answer) makes it indeterminate, never valid.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"
    NOT_APPLICABLE = "not_applicable"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    INDETERMINATE = "indeterminate"


# The checks every report carries, in this order, even when not applicable.
CORE_CHECKS = ("proof", "issuer_key", "validity_period", "status", "schema")


@dataclass
class Check:
    name: str
    status: Status
    detail: str = ""


@dataclass
class Achievement:
    name: str | None = None
    credits: float | None = None
    # where `credits` was read, e.g. "credentialSubject.achievement.creditsAvailable"
    credits_source: str | None = None


@dataclass
class VerificationReport:
    format: str
    issuer: dict[str, Any] = field(default_factory=dict)
    subject: dict[str, Any] = field(default_factory=dict)
    achievement: Achievement = field(default_factory=Achievement)
    checks: list[Check] = field(default_factory=list)
    # CLR: one report per nested credential, and the associations between them
    nested: list[VerificationReport] = field(default_factory=list)
    associations: list[dict[str, Any]] = field(default_factory=list)
    credential_id: str | None = None
    # the credential as verified (a JWT's inner credential, a hosted assertion as
    # fetched) and, for OB 2.0, its BadgeClass and issuer: for mapping, not printed
    credential: dict[str, Any] | None = field(default=None, repr=False)
    related: dict[str, Any] = field(default_factory=dict, repr=False)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def set(self, name: str, status: Status, detail: str = "") -> None:
        """Record a check; a later failure of the same name wins over a pass."""
        existing = self.check(name)
        if existing is None:
            self.checks.append(Check(name, status, detail))
            return
        rank = [
            Status.NOT_APPLICABLE,
            Status.PASSED,
            Status.INDETERMINATE,
            Status.FAILED,
        ]
        if rank.index(status) >= rank.index(existing.status):
            existing.status, existing.detail = status, detail

    def fill_missing(self) -> None:
        """Every report carries the core checks; one never reached was not checked."""
        for name in CORE_CHECKS:
            if self.check(name) is None:
                self.set(name, Status.INDETERMINATE, "not checked")

    def set_ownership(self, owned: bool | None, detail: str) -> None:
        """Record the issuer_key check from keys.issuer_owns."""
        status = {True: Status.PASSED, False: Status.FAILED, None: Status.INDETERMINATE}
        self.set("issuer_key", status[owned], detail)

    @property
    def verdict(self) -> Verdict:
        statuses = {c.status for c in self.checks}
        if Status.FAILED in statuses:
            return Verdict.INVALID
        if Status.INDETERMINATE in statuses:
            return Verdict.INDETERMINATE
        return Verdict.VALID

    def to_dict(self) -> dict[str, Any]:
        order = {name: i for i, name in enumerate(CORE_CHECKS)}
        checks = sorted(self.checks, key=lambda c: order.get(c.name, len(order)))
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "format": self.format,
            "id": self.credential_id,
            "issuer": self.issuer,
            "subject": self.subject,
            "achievement": asdict(self.achievement),
            "checks": [
                {"name": c.name, "status": c.status.value, "detail": c.detail}
                for c in checks
            ],
        }
        if self.nested or self.associations:
            out["credentials"] = [n.to_dict() for n in self.nested]
            out["associations"] = self.associations
        return out


def verdict_status(report: VerificationReport) -> Status:
    """A whole report folded into one check status (for CLR nested credentials)."""
    return {
        Verdict.VALID: Status.PASSED,
        Verdict.INVALID: Status.FAILED,
        Verdict.INDETERMINATE: Status.INDETERMINATE,
    }[report.verdict]
