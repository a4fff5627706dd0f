"""redeemCredits: debit the credits an award uses, atomically (R-ABC-DEBIT)."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.errors import ApiError
from app.graphql.learners.explanation import Eligibility
from app.graphql.learners.loaders import AwardById, LearnerByApaarId
from app.graphql.learners.mutations.payloads import UserError
from app.graphql.learners.permissions import READERS, Info, authorise_one, require_role
from app.graphql.learners.target import AwardTarget, target_of
from app.graphql.learners.types import Award
from app.learners.redemption import redeem_award


@strawberry.type
class RedeemCreditsPayload:
    award: Award | None
    eligibility: Eligibility | None = strawberry.field(
        description="The evaluation the decision was made on."
    )
    user_errors: list[UserError]


async def resolve_redeem_credits(
    info: Info,
    apaar_id: str,
    award: AwardTarget,
    as_of: date | None = None,
    policy: str | None = None,
) -> RedeemCreditsPayload:
    require_role(info, *READERS)
    learner = await authorise_one(
        info,
        await info.context.loader(LearnerByApaarId).load(apaar_id),
        what="redeemCredits",
    )
    try:
        target = await target_of(award, policy)
    except ApiError as exc:
        return RedeemCreditsPayload(
            award=None,
            eligibility=None,
            user_errors=[
                UserError(
                    field=exc.field or "award", code=exc.code.value, message=exc.message
                )
            ],
        )
    today = date.today()
    result = await redeem_award(learner, target, as_of or today, today)
    eligibility = Eligibility.of(result.evaluation) if result.evaluation else None
    if result.award is None:
        return RedeemCreditsPayload(
            award=None,
            eligibility=eligibility,
            user_errors=[UserError.bad("award", reason) for reason in result.refusals],
        )
    row = await info.context.loader(AwardById).load(result.award.id)
    return RedeemCreditsPayload(
        award=Award.from_row(row), eligibility=eligibility, user_errors=[]
    )
