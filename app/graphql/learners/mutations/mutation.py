"""The learner graph's root mutation fields."""

from __future__ import annotations

import strawberry

from app.graphql.learners.data_rights import DataRightsMutation
from app.graphql.learners.mutations.credential import resolve_add_credential
from app.graphql.learners.mutations.imports import (
    resolve_import_credential,
    resolve_reverify_credential,
)
from app.graphql.learners.mutations.redeem import resolve_redeem_credits
from app.graphql.learners.mutations.register import resolve_register_learner
from app.graphql.learners.mutations.requirements import (
    resolve_create_pathway,
    resolve_create_programme,
    resolve_update_pathway,
    resolve_update_programme,
)


@strawberry.type
class LearnerMutation(DataRightsMutation):
    register_learner = strawberry.mutation(
        resolver=resolve_register_learner,
        description="Register a learner by APAAR ID (12 digits).",
    )
    add_credential = strawberry.mutation(
        resolver=resolve_add_credential,
        description="Add a credential to a learner's record; credits from an "
        "ABC-registered issuer are deposited in the ledger.",
    )
    import_credential = strawberry.mutation(
        resolver=resolve_import_credential,
        description="Verify a badge or verifiable credential (OB 2.0/3.0, VC, "
        "VC-JWT, CLR 2.0), from a document or a URL, and store it on a learner's "
        "record unless it is invalid; the same credential twice is one row.",
    )
    reverify_credential = strawberry.mutation(
        resolver=resolve_reverify_credential,
        description="Verify an imported credential again (e.g. to see a "
        "revocation) and record the outcome; the row stays even if now invalid.",
    )
    redeem_credits = strawberry.mutation(
        resolver=resolve_redeem_credits,
        description="Redeem credits for an award when eligible: the credits used "
        "are debited once and for all (R-ABC-DEBIT).",
    )
    create_pathway = strawberry.mutation(
        resolver=resolve_create_pathway,
        description="Create a pathway (platform admins); its requirement tree is "
        "validated, a bad node named by its path.",
    )
    update_pathway = strawberry.mutation(
        resolver=resolve_update_pathway,
        description="Change a pathway's fields; only those given are changed.",
    )
    create_programme = strawberry.mutation(
        resolver=resolve_create_programme,
        description="Create a programme of an institution (its admins, platform "
        "admins), with a requirement tree and a policy.",
    )
    update_programme = strawberry.mutation(
        resolver=resolve_update_programme,
        description="Change a programme's fields; only those given are changed.",
    )
