"""The learner graph's root mutation fields."""

from __future__ import annotations

import strawberry

from app.graphql.learners.mutations.credential import resolve_add_credential
from app.graphql.learners.mutations.redeem import resolve_redeem_credits
from app.graphql.learners.mutations.register import resolve_register_learner


@strawberry.type
class LearnerMutation:
    register_learner = strawberry.mutation(
        resolver=resolve_register_learner,
        description="Register a learner by APAAR ID (12 digits).",
    )
    add_credential = strawberry.mutation(
        resolver=resolve_add_credential,
        description="Add a credential to a learner's record; credits from an "
        "ABC-registered issuer are deposited in the ledger.",
    )
    redeem_credits = strawberry.mutation(
        resolver=resolve_redeem_credits,
        description="Redeem credits for an award when eligible: the credits used "
        "are debited once and for all (R-ABC-DEBIT).",
    )
