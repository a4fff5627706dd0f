"""exportLearnerData and eraseLearner: the learner's own rights (and platform
admins acting on a request). Institution admins may read a record but not
export or erase it."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app.auth import Role
from app.graphql.learners.loaders import LearnerByApaarId
from app.graphql.learners.permissions import Info, authorise_one, require_role
from app.learners.access_log import is_self
from app.learners.data_rights import erase_learner, export_learner


async def _subject(info: Info, apaar_id: str, what: str) -> dict:
    """The learner row; another learner's is NOT_FOUND like a missing one."""
    caller = require_role(info, Role.LEARNER, Role.PLATFORM_ADMIN)
    row = await authorise_one(
        info, await info.context.loader(LearnerByApaarId).load(apaar_id), what=what
    )
    assert caller.role is Role.PLATFORM_ADMIN or is_self(caller, apaar_id)
    return row


@strawberry.type(description="What an erasure removed and what it kept, and why.")
class ErasurePayload:
    erased: bool
    credentials_removed: int
    credentials_kept: int = strawberry.field(
        description="Deposited credentials, anonymised: the ABC ledger needs them "
        "(R-ABC-DEBIT; the fingerprint refuses a second deposit)."
    )
    ledger_entries_kept: int
    awards_kept: int


@strawberry.type
class DataRightsMutation:
    @strawberry.mutation(
        description="Everything held about a learner, as one JSON document."
    )
    async def export_learner_data(self, info: Info, apaar_id: str) -> JSON:
        row = await _subject(info, apaar_id, "exportLearnerData")
        return await export_learner(row["id"])

    @strawberry.mutation(
        description="Erase a learner's personal data. Deposited credits, their "
        "ledger rows and awards are kept, anonymised, as the ABC rules require; "
        "the APAAR ID is replaced, so the record is no longer reachable by it."
    )
    async def erase_learner(self, info: Info, apaar_id: str) -> ErasurePayload:
        row = await _subject(info, apaar_id, "eraseLearner")
        result = await erase_learner(row["id"])
        return ErasurePayload(
            erased=True,
            credentials_removed=result.credentials_removed,
            credentials_kept=result.credentials_kept,
            ledger_entries_kept=result.ledger_entries_kept,
            awards_kept=result.awards_kept,
        )
