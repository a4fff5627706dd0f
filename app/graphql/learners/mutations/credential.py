"""addCredential: a credential entered by hand, validated."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from app.graphql.errors import BadUserInput
from app.graphql.learners.loaders import CredentialById, LearnerByApaarId
from app.graphql.learners.mutations.payloads import UserError, node_pk, user_errors
from app.graphql.learners.permissions import READERS, Info, authorise_one, require_role
from app.graphql.learners.types import Credential, CredentialKind
from app.learners.registration import NewCredential, Problem, add_credential


@strawberry.input
class AddCredentialInput:
    title: str
    earned_on: date
    kind: CredentialKind = CredentialKind.COURSE_CERTIFICATE
    course: relay.GlobalID | None = strawberry.field(
        default=None, description="The catalogue course it is a result of."
    )
    credits: float | None = None
    category: str | None = None
    ncrf_level: float | None = None
    score: float | None = None
    grade: str | None = None
    issuer_name: str | None = None
    semester: str | None = None
    evidence_url: str | None = None


@strawberry.type
class AddCredentialPayload:
    credential: Credential | None
    user_errors: list[UserError]


async def resolve_add_credential(
    info: Info, apaar_id: str, input: AddCredentialInput
) -> AddCredentialPayload:
    require_role(info, *READERS)
    learner = await authorise_one(
        info,
        await info.context.loader(LearnerByApaarId).load(apaar_id),
        what="addCredential",
    )
    try:
        course_id = node_pk(input.course, "Course", "course") if input.course else None
    except BadUserInput as exc:
        return AddCredentialPayload(
            credential=None, user_errors=user_errors([Problem("course", exc.message)])
        )
    created, problems = await add_credential(
        learner,
        NewCredential(
            title=input.title,
            earned_on=input.earned_on,
            kind=input.kind.value,
            course_id=course_id,
            credits=input.credits,
            category=input.category,
            ncrf_level=input.ncrf_level,
            score=input.score,
            grade=input.grade,
            issuer_name=input.issuer_name,
            semester=input.semester,
            evidence_url=input.evidence_url,
        ),
        today=date.today(),
    )
    if created is None:
        return AddCredentialPayload(credential=None, user_errors=user_errors(problems))
    row = await info.context.loader(CredentialById).load(created.id)
    return AddCredentialPayload(credential=Credential.from_row(row), user_errors=[])
