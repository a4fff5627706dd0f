"""Object types owned by a learner: credentials, ledger entries, awards and
access-log entries. Thin: built from row dicts, relations through loaders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.credentials.eu import annex_one
from app.credentials.store import stored_credential
from app.graphql.catalogue.loaders import CourseById, ProviderById
from app.graphql.catalogue.types import Course, Provider
from app.graphql.learners.loaders import (
    AwardById,
    CredentialById,
    CredentialDocumentById,
    CredentialVerificationById,
    LedgerEntryById,
)
from app.graphql.learners.nodes import owned_rows
from app.graphql.learners.permissions import Info
from app.graphql.learners.verification import EuMicroCredential, Verification


@strawberry.enum(description="What a credential attests.")
class CredentialKind(Enum):
    COURSE_CERTIFICATE = "course_certificate"
    MICRO_CREDENTIAL = "micro_credential"
    BADGE = "badge"
    DEGREE = "degree"


@strawberry.enum(
    description="A ledger row: credits deposited, or debited for an award."
)
class LedgerKind(Enum):
    DEPOSIT = "deposit"
    DEBIT = "debit"


@strawberry.type(description="A learner's home institution.")
class InstitutionSummary:
    slug: str
    name: str
    aishe_code: str | None
    abc_registered: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            slug=row["slug"],
            name=row["name"],
            aishe_code=row["aishe_code"],
            abc_registered=row["abc_registered"],
        )


@strawberry.type(description="What a learner earned: a certificate, badge or degree.")
class Credential(relay.Node):
    id: relay.NodeID[int]
    kind: CredentialKind
    title: str
    earned_on: date
    issuer_name: str | None
    issuer_registered: bool = strawberry.field(
        description="Deposited by an ABC-registered issuer (R-ABC-REG)."
    )
    score: float | None
    grade: str | None
    credits: float | None
    credits_source: str | None
    ncrf_level: float | None
    category: str | None
    also_counts_as: list[str]
    semester: str | None
    certificate: bool | None = strawberry.field(
        description="The host institution's graded certificate (R-SWAYAM-CERT)."
    )
    evidence_url: str | None
    format: str | None
    verification_status: str
    verified_at: datetime | None
    created_at: datetime
    course_id: strawberry.Private[int | None]
    issuer_id: strawberry.Private[int | None]
    learner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            kind=CredentialKind(row["kind"]),
            title=row["title"],
            earned_on=row["earned_on"],
            issuer_name=row["issuer_name"],
            issuer_registered=row["issuer_registered"],
            score=row["score"],
            grade=row["grade"],
            credits=row["credits"],
            credits_source=row["credits_source"],
            ncrf_level=row["ncrf_level"],
            category=row["category"],
            also_counts_as=list(row["also_counts_as"] or []),
            semester=row["semester"],
            certificate=row["certificate"],
            evidence_url=row["evidence_url"],
            format=row["format"],
            verification_status=row["verification_status"],
            verified_at=row["verified_at"],
            created_at=row["created_at"],
            course_id=row["course_id"],
            issuer_id=row["issuer_id"],
            learner_id=row["learner_id"],
        )

    @strawberry.field(description="The catalogue course, when it was matched.")
    async def course(self, info: Info) -> Course | None:
        if self.course_id is None:
            return None
        row = await info.context.loader(CourseById).load(self.course_id)
        return Course.from_row(row) if row else None

    @strawberry.field(description="The issuing provider, when it is known.")
    async def issuer(self, info: Info) -> Provider | None:
        if self.issuer_id is None:
            return None
        row = await info.context.loader(ProviderById).load(self.issuer_id)
        return Provider.from_row(row) if row else None

    @strawberry.field(
        description="The last verification, when the credential was imported "
        "from a document (null for one entered by hand)."
    )
    async def verification(self, info: Info) -> Verification | None:
        row = await info.context.loader(CredentialVerificationById).load(self.id)
        if not row or not row["verification"]:
            return None
        return Verification.of(row["verification"], row["verified_at"])

    @strawberry.field(
        description="The EU micro-credential view (Annex I) of the imported "
        "document; null for a credential entered by hand."
    )
    async def eu_micro_credential(self, info: Info) -> EuMicroCredential | None:
        row = await info.context.loader(CredentialDocumentById).load(self.id)
        if not row or not row["document"]:
            return None
        # store.eu_view takes a model row; the loader's dict holds the same JSON
        return EuMicroCredential.of(annex_one(stored_credential(row["document"])))

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await owned_rows(
            info, CredentialById, node_ids, required=required, what="node: Credential"
        )
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(
    description="An award (programme or pathway) redeemed by the learner, with "
    "the policy it was decided under so the decision can be reproduced."
)
class Award(relay.Node):
    id: relay.NodeID[int]
    award_code: str
    title: str
    policy_name: str
    policy_version: str
    policy_overrides: JSON
    as_of: date
    decided_at: datetime
    learner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            award_code=row["award_code"],
            title=row["title"],
            policy_name=row["policy_name"],
            policy_version=row["policy_version"],
            policy_overrides=row["policy_overrides"] or {},
            as_of=row["as_of"],
            decided_at=row["decided_at"],
            learner_id=row["learner_id"],
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await owned_rows(
            info, AwardById, node_ids, required=required, what="node: Award"
        )
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="One ABC-style ledger row: a deposit or a debit.")
class LedgerEntry(relay.Node):
    id: relay.NodeID[int]
    kind: LedgerKind
    credits: float
    note: str | None
    created_at: datetime
    credential_id: strawberry.Private[int]
    award_id: strawberry.Private[int | None]
    learner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            kind=LedgerKind(row["kind"]),
            credits=float(row["credits"]),
            note=row["note"],
            created_at=row["created_at"],
            credential_id=row["credential_id"],
            award_id=row["award_id"],
            learner_id=row["learner_id"],
        )

    @strawberry.field
    async def credential(self, info: Info) -> Credential:
        row = await info.context.loader(CredentialById).load(self.credential_id)
        return Credential.from_row(row)

    @strawberry.field(description="The award a debit paid for.")
    async def award(self, info: Info) -> Award | None:
        if self.award_id is None:
            return None
        row = await info.context.loader(AwardById).load(self.award_id)
        return Award.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await owned_rows(
            info, LedgerEntryById, node_ids, required=required, what="node: LedgerEntry"
        )
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="Someone other than the learner read their record.")
class AccessLogEntry:
    at: datetime
    actor_role: str
    actor_subject: str
    what: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            at=row["at"],
            actor_role=row["actor_role"],
            actor_subject=row["actor_subject"],
            what=row["what"],
        )
