"""The Learner type: the root of everything private about one person.

A Learner object is only ever built from a row the caller was authorised to
read (permissions.authorise), so its fields need no further check except
the access log, which only the learner and a platform admin may read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.auth import Role
from app.db.models.learners import Credential as CredentialModel
from app.graphql.connection import to_connection
from app.graphql.errors import BadUserInput, Forbidden
from app.graphql.learners.balance import CreditBalance
from app.graphql.learners.clr import resolve_clr
from app.graphql.learners.eligibility import (
    resolve_eligibility,
    resolve_pathway_progress,
    resolve_plan,
)
from app.graphql.learners.loaders import (
    AccessLogByLearner,
    AwardsByLearner,
    InstitutionById,
    LearnerById,
    LedgerByLearner,
)
from app.graphql.learners.nodes import owned_rows
from app.graphql.learners.permissions import Info, require_caller
from app.graphql.learners.policies import DEFAULT_POLICY, policy_named
from app.graphql.learners.records import learner_record
from app.graphql.learners.types import (
    AccessLogEntry,
    Award,
    Credential,
    CredentialKind,
    InstitutionSummary,
    LedgerEntry,
)
from app.graphql.learners.verification import Verdict
from app.graphql.pagination import SortKey, keyset_page, validate_first
from app.learners import balance as balance_service
from app.learners.access_log import is_self
from app.learners.records import CREDENTIAL_FIELDS


@strawberry.input(description="Narrows a learner's credentials; all parts combine.")
class CredentialFilter:
    kind: CredentialKind | None = None
    provider: str | None = strawberry.field(
        default=None, description="Slug of the issuing provider."
    )
    earned_from: date | None = None
    earned_to: date | None = None
    verification_status: str | None = None
    verdict: Verdict | None = strawberry.field(
        default=None,
        description="The last verification's verdict; credentials entered by "
        "hand have none and never match.",
    )


def _filtered(learner_id: int, where: CredentialFilter | None):  # noqa: ANN202
    query = CredentialModel.filter(learner_id=learner_id)
    if where is None:
        return query
    if where.earned_from and where.earned_to and where.earned_from > where.earned_to:
        raise BadUserInput("earnedFrom is after earnedTo", field="filter.earnedFrom")
    if where.kind:
        query = query.filter(kind=where.kind.value)
    if where.provider:
        query = query.filter(issuer__slug=where.provider)
    if where.earned_from:
        query = query.filter(earned_on__gte=where.earned_from)
    if where.earned_to:
        query = query.filter(earned_on__lte=where.earned_to)
    if where.verification_status:
        query = query.filter(verification_status=where.verification_status)
    if where.verdict:
        # the store keeps the verdict in verification_status (valid/invalid/...)
        query = query.filter(verification_status=where.verdict.value)
    return query


@strawberry.type(description="A learner: profile and everything they earned.")
class Learner(relay.Node):
    id: relay.NodeID[int]
    apaar_id: str = strawberry.field(description="12-digit APAAR ID.")
    abc_account_id: str | None
    name: str | None
    email: str | None
    created_at: datetime
    erased_at: datetime | None = strawberry.field(
        description="When the learner's personal data was erased, if it was."
    )
    home_institution_id: strawberry.Private[int | None]
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            apaar_id=row["apaar_id"],
            abc_account_id=row["abc_account_id"],
            name=row["name"],
            email=row["email"],
            created_at=row["created_at"],
            erased_at=row["erased_at"],
            home_institution_id=row["home_institution_id"],
            row=row,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await owned_rows(
            info, _SelfById, node_ids, required=required, what="node: Learner"
        )
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field
    async def home_institution(self, info: Info) -> InstitutionSummary | None:
        if self.home_institution_id is None:
            return None
        row = await info.context.loader(InstitutionById).load(self.home_institution_id)
        return InstitutionSummary.from_row(row) if row else None

    @strawberry.field(description="Credentials, newest first; `first` is at most 100.")
    async def credentials(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CredentialFilter | None = None,
    ) -> relay.Connection[Credential]:
        page = await keyset_page(
            _filtered(self.id, filter),
            [SortKey("earned_on", descending=True), SortKey("id", descending=True)],
            first=validate_first(first, info.context.settings.limits.max_first),
            after=after,
            fields=CREDENTIAL_FIELDS,
        )
        return to_connection(page, Credential.from_row)

    @strawberry.field(description="Every ledger row, oldest first.")
    async def ledger(self, info: Info) -> list[LedgerEntry]:
        rows = await info.context.loader(LedgerByLearner).load(self.id)
        return [LedgerEntry.from_row(r) for r in rows]

    @strawberry.field(description="Awards redeemed, each with its policy.")
    async def awards(self, info: Info) -> list[Award]:
        rows = await info.context.loader(AwardsByLearner).load(self.id)
        return [Award.from_row(r) for r in rows]

    @strawberry.field(
        description="Credits available, redeemed and expired as of a date "
        "(today by default), by NCrF level and category."
    )
    async def credit_balance(
        self, info: Info, as_of: date | None = None, policy: str = DEFAULT_POLICY
    ) -> CreditBalance:
        record = await learner_record(info, self.row)
        result = balance_service.credit_balance(
            record, as_of or date.today(), policy_named(policy)
        )
        return CreditBalance.of(result)

    eligibility = strawberry.field(
        resolver=resolve_eligibility,
        description="Is the learner eligible for an award (built-in, programme or "
        "pathway) under a policy on a date? The tree of rule checks says why.",
    )
    pathway_progress = strawberry.field(
        resolver=resolve_pathway_progress,
        description="Progress along a pathway: its course nodes met and the checks.",
    )
    plan = strawberry.field(
        resolver=resolve_plan,
        description="The catalogue courses (next offerings) that close the gaps "
        "to an award at the least hours, fee or weeks.",
    )

    @strawberry.field(
        description="The learner's record as a CLR 2.0 ClrCredential signed by "
        "the platform (eddsa-rdfc-2022): valid credentials nested, awards with "
        "the credentials they used. Verifiable with `credgraph verify`."
    )
    async def clr(self, info: Info) -> JSON:
        return await resolve_clr(self.id, info)

    @strawberry.field(
        description="Who else read this record, newest first. Only the learner "
        "and platform admins may read it."
    )
    async def access_log(
        self, info: Info, first: int | None = None
    ) -> list[AccessLogEntry]:
        caller = require_caller(info)
        if not (caller.role is Role.PLATFORM_ADMIN or is_self(caller, self.apaar_id)):
            raise Forbidden("only the learner may read their access log")
        limit = validate_first(first, info.context.settings.limits.max_first)
        rows = await info.context.loader(AccessLogByLearner).load(self.id)
        return [AccessLogEntry.from_row(r) for r in rows[:limit]]


class _SelfById(LearnerById):
    """Learner rows keyed by id, shaped like owned rows (learner_id = id)."""

    async def _load(self, keys: list[Any]) -> list[Any]:
        rows = await super()._load(keys)
        return [{**row, "learner_id": row["id"]} if row else None for row in rows]
