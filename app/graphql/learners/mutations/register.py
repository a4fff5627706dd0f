"""registerLearner: a new learner by APAAR ID."""

from __future__ import annotations

import strawberry

from app.auth import Role
from app.db.models.catalogue import Institution
from app.graphql.errors import Forbidden
from app.graphql.learners.learner import Learner
from app.graphql.learners.loaders import LearnerById
from app.graphql.learners.mutations.payloads import UserError, user_errors
from app.graphql.learners.permissions import (
    READERS,
    Info,
    admin_institution_id,
    require_role,
)
from app.learners.registration import Problem, register_learner


@strawberry.input
class RegisterLearnerInput:
    apaar_id: str = strawberry.field(description="12 digits.")
    name: str | None = None
    email: str | None = None
    abc_account_id: str | None = None
    home_institution: str | None = strawberry.field(
        default=None,
        description="Slug of the home institution; an institution admin's own "
        "institution when left out.",
    )


@strawberry.type
class RegisterLearnerPayload:
    learner: Learner | None
    user_errors: list[UserError]


async def _home(info: Info, slug: str | None) -> tuple[int | None, list[Problem]]:
    caller = require_role(info, *READERS)
    own = None
    if caller.role is Role.INSTITUTION_ADMIN:
        own = await admin_institution_id(info, caller)
    if slug is None:
        return own, []
    ids = await Institution.filter(slug=slug).values_list("id", flat=True)
    if not ids:
        return None, [Problem("homeInstitution", "no such institution")]
    if caller.role is Role.INSTITUTION_ADMIN and ids[0] != own:
        raise Forbidden("an institution admin registers learners of its own only")
    return ids[0], []


async def resolve_register_learner(
    info: Info, input: RegisterLearnerInput
) -> RegisterLearnerPayload:
    caller = require_role(info, *READERS)
    if caller.role is Role.LEARNER and caller.subject != input.apaar_id:
        raise Forbidden("a learner may only register their own APAAR ID")
    home, problems = await _home(info, input.home_institution)
    if problems:
        return RegisterLearnerPayload(learner=None, user_errors=user_errors(problems))
    created, problems = await register_learner(
        input.apaar_id.strip(),
        name=input.name,
        email=input.email,
        abc_account_id=input.abc_account_id,
        home_institution_id=home,
    )
    if created is None:
        return RegisterLearnerPayload(learner=None, user_errors=user_errors(problems))
    row = await info.context.loader(LearnerById).load(created.id)
    return RegisterLearnerPayload(learner=Learner.from_row(row), user_errors=[])
