"""createPathway / updatePathway / createProgramme / updateProgramme.

Pathways are the platform's catalogue: platform admins only. A programme
belongs to an institution: its admins and platform admins. Requirement trees
are validated by the credit engine; a bad node comes back as a userError
whose field is the node's path (`requirement.children[1].n`).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET, relay
from strawberry.scalars import JSON

from app.auth import Role
from app.db.models.catalogue import Institution, Provider
from app.db.models.catalogue import Programme as ProgrammeModel
from app.db.models.pathways import Pathway as PathwayModel
from app.graphql.catalogue.loaders import PathwayById, ProgrammeById
from app.graphql.catalogue.pathways import Pathway, Programme
from app.graphql.errors import Forbidden, NotFound
from app.graphql.learners.mutations.payloads import UserError, node_pk, user_errors
from app.graphql.learners.permissions import Info, admin_institution_id, require_role
from app.learners.registration import Problem
from app.learners.requirements import save_pathway, save_programme


def _given(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The input fields the client set (UNSET ones are left alone)."""
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not UNSET}


_PATHWAY_COLUMNS = (
    "title",
    "kind",
    "description",
    "requirement",
    "credits",
    "ncrf_level",
    "credential_awarded",
    "url",
)


@strawberry.input
class CreatePathwayInput:
    slug: str
    title: str
    requirement: JSON = strawberry.field(description="A requirement tree (DESIGN.md).")
    provider: str | None = strawberry.field(default=None, description="Provider slug.")
    kind: str | None = None
    description: str | None = None
    credits: float | None = None
    ncrf_level: float | None = None
    credential_awarded: str | None = None
    url: str | None = None


@strawberry.input
class UpdatePathwayInput:
    title: str | None = UNSET
    requirement: JSON | None = UNSET
    kind: str | None = UNSET
    description: str | None = UNSET
    credits: float | None = UNSET
    ncrf_level: float | None = UNSET
    credential_awarded: str | None = UNSET
    url: str | None = UNSET
    withdrawn: bool | None = UNSET


@strawberry.type
class PathwayPayload:
    pathway: Pathway | None
    user_errors: list[UserError]


async def _pathway_payload(
    info: Info, saved: PathwayModel | None, problems: list[Problem]
) -> PathwayPayload:
    if saved is None:
        return PathwayPayload(pathway=None, user_errors=user_errors(problems))
    # a fresh loader: the request's may hold the row as it was before
    row = await PathwayById().load(saved.id)
    return PathwayPayload(pathway=Pathway.from_row(row), user_errors=[])


async def resolve_create_pathway(
    info: Info, input: CreatePathwayInput
) -> PathwayPayload:
    require_role(info, Role.PLATFORM_ADMIN)
    values = {"slug": input.slug.strip(), **_given(input, _PATHWAY_COLUMNS)}
    if input.provider is not None:
        provider = await Provider.get_or_none(slug=input.provider)
        if provider is None:
            return PathwayPayload(
                pathway=None,
                user_errors=[UserError.bad("provider", "no such provider")],
            )
        values["provider_id"] = provider.id
    return await _pathway_payload(info, *await save_pathway(None, values))


async def resolve_update_pathway(
    info: Info, id: relay.GlobalID, input: UpdatePathwayInput
) -> PathwayPayload:
    require_role(info, Role.PLATFORM_ADMIN)
    row = await PathwayModel.get_or_none(id=node_pk(id, "Pathway", "id"))
    if row is None:
        raise NotFound("no such pathway")
    values = _given(input, (*_PATHWAY_COLUMNS, "withdrawn"))
    return await _pathway_payload(info, *await save_pathway(row, values))


_PROGRAMME_COLUMNS = (
    "name",
    "award_kind",
    "requirement",
    "policy_name",
    "policy_overrides",
    "credits",
    "ncrf_level",
    "duration_years",
    "url",
)


@strawberry.input
class CreateProgrammeInput:
    external_id: str
    name: str
    requirement: JSON
    institution: str | None = strawberry.field(
        default=None,
        description="Institution slug; an institution admin's own when left out.",
    )
    award_kind: str = "custom"
    policy_name: str = "ugc-2023"
    policy_overrides: JSON | None = strawberry.field(
        default=None,
        description="Rule values that differ from the policy: "
        '{"R-DEG3": {"credits": 132}}.',
    )
    credits: float | None = None
    ncrf_level: float | None = None
    duration_years: float | None = None
    url: str | None = None


@strawberry.input
class UpdateProgrammeInput:
    name: str | None = UNSET
    requirement: JSON | None = UNSET
    award_kind: str | None = UNSET
    policy_name: str | None = UNSET
    policy_overrides: JSON | None = UNSET
    credits: float | None = UNSET
    ncrf_level: float | None = UNSET
    duration_years: float | None = UNSET
    url: str | None = UNSET
    withdrawn: bool | None = UNSET


@strawberry.type
class ProgrammePayload:
    programme: Programme | None
    user_errors: list[UserError]


async def _may_manage(info: Info, institution_id: int) -> None:
    caller = require_role(info, Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN)
    if caller.role is Role.INSTITUTION_ADMIN and institution_id != (
        await admin_institution_id(info, caller)
    ):
        raise Forbidden("an institution admin manages its own programmes only")


async def _programme_payload(
    info: Info, saved: ProgrammeModel | None, problems: list[Problem]
) -> ProgrammePayload:
    if saved is None:
        return ProgrammePayload(programme=None, user_errors=user_errors(problems))
    row = await ProgrammeById().load(saved.id)
    return ProgrammePayload(programme=Programme.from_row(row), user_errors=[])


async def resolve_create_programme(
    info: Info, input: CreateProgrammeInput
) -> ProgrammePayload:
    caller = require_role(info, Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN)
    if input.institution is None:
        institution_id = (
            await admin_institution_id(info, caller)
            if caller.role is Role.INSTITUTION_ADMIN
            else None
        )
    else:
        ids = await Institution.filter(slug=input.institution).values_list(
            "id", flat=True
        )
        institution_id = ids[0] if ids else None
    if institution_id is None:
        return ProgrammePayload(
            programme=None,
            user_errors=[UserError.bad("institution", "no such institution")],
        )
    await _may_manage(info, institution_id)
    values = {
        "institution_id": institution_id,
        "external_id": input.external_id.strip(),
        **_given(input, _PROGRAMME_COLUMNS),
    }
    if values.get("policy_overrides") is None:
        values["policy_overrides"] = {}
    return await _programme_payload(info, *await save_programme(None, values))


async def resolve_update_programme(
    info: Info, id: relay.GlobalID, input: UpdateProgrammeInput
) -> ProgrammePayload:
    require_role(info, Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN)
    row = await ProgrammeModel.get_or_none(id=node_pk(id, "Programme", "id"))
    if row is None:
        raise NotFound("no such programme")
    await _may_manage(info, row.institution_id)
    values = _given(input, (*_PROGRAMME_COLUMNS, "withdrawn"))
    if "policy_overrides" in values and values["policy_overrides"] is None:
        values["policy_overrides"] = {}
    return await _programme_payload(info, *await save_programme(row, values))
