"""Pathways (stackable credentials over courses), institutions and the
programmes they grant."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from app.graphql.catalogue.loaders import (
    CourseById,
    InstitutionById,
    LinksByPathway,
    PathwayById,
    ProgrammeById,
    ProgrammesByInstitution,
    ProviderById,
)
from app.graphql.catalogue.requirements import RequirementNode
from app.graphql.catalogue.types import Course, Info, Provider, RowNode


@strawberry.type(description="A course a pathway names, in the pathway's order.")
class PathwayCourse:
    ref: str = strawberry.field(description="The reference the pathway uses.")
    position: int
    required: bool
    course_id: strawberry.Private[int | None]

    @strawberry.field(description="The catalogue course, once it has been synced.")
    async def course(self, info: Info) -> Course | None:
        if self.course_id is None:
            return None
        row = await info.context.loader(CourseById).load(self.course_id)
        return Course.from_row(row) if row else None


@strawberry.type(
    description="A stackable credential (NPTEL domain certificate, MicroMasters, "
    "a CTDL learning program): a requirement tree over courses."
)
class Pathway(RowNode, relay.Node):
    loader = PathwayById
    columns = {"requirement_json": "requirement"}
    id: relay.NodeID[int]
    slug: str
    title: str
    kind: str | None
    description: str | None
    credits: float | None = strawberry.field(
        description="The credits the pathway itself states, if any."
    )
    ncrf_level: float | None
    credential_awarded: str | None
    url: str | None
    withdrawn: bool
    provider_id: strawberry.Private[int | None]
    requirement_json: strawberry.Private[Any]

    @strawberry.field
    async def provider(self, info: Info) -> Provider | None:
        if self.provider_id is None:
            return None
        row = await info.context.loader(ProviderById).load(self.provider_id)
        return Provider.from_row(row) if row else None

    @strawberry.field(description="The courses it names, in its order.")
    async def courses(self, info: Info) -> list[PathwayCourse]:
        links = await info.context.loader(LinksByPathway).load(self.id)
        return [
            PathwayCourse(
                ref=link["course_ref"],
                position=link["position"],
                required=link["required"],
                course_id=link["course_id"],
            )
            for link in links
        ]

    @strawberry.field(description="What must be completed, as a tree.")
    async def requirement(self, info: Info) -> RequirementNode | None:
        links = await info.context.loader(LinksByPathway).load(self.id)
        refs = {
            link["course_ref"]: link["course_id"]
            for link in links
            if link["course_id"] is not None
        }
        return RequirementNode.from_json(self.requirement_json, refs)

    @strawberry.field(
        description="Sum of the credits of its required courses known to the "
        "catalogue (null when none states credits)."
    )
    async def total_credits(self, info: Info) -> float | None:
        return await self._total(info, "credits")

    @strawberry.field(
        description="Sum of the notional hours of its required courses known to "
        "the catalogue (null when none states hours)."
    )
    async def total_hours(self, info: Info) -> float | None:
        return await self._total(info, "notional_hours")

    async def _total(self, info: Info, column: str) -> float | None:
        links = await info.context.loader(LinksByPathway).load(self.id)
        ids = [lk["course_id"] for lk in links if lk["required"] and lk["course_id"]]
        rows = await info.context.loader(CourseById).load_many(ids)
        values = [r[column] for r in rows if r and r[column] is not None]
        return float(sum(values)) if values else None


@strawberry.type(description="A higher-education institution that grants programmes.")
class Institution(RowNode, relay.Node):
    loader = InstitutionById
    id: relay.NodeID[int]
    slug: str
    name: str
    aishe_code: str | None = strawberry.field(description="AISHE code.")
    abc_registered: bool
    provider_id: strawberry.Private[int | None]

    @strawberry.field(description="The same organisation as a course provider.")
    async def provider(self, info: Info) -> Provider | None:
        if self.provider_id is None:
            return None
        row = await info.context.loader(ProviderById).load(self.provider_id)
        return Provider.from_row(row) if row else None

    @strawberry.field
    async def programmes(self, info: Info) -> list[Programme]:
        rows = await info.context.loader(ProgrammesByInstitution).load(self.id)
        return [Programme.from_row(r) for r in rows]


@strawberry.type(
    description="An award an institution grants (certificate, diploma, degree…)."
)
class Programme(RowNode, relay.Node):
    loader = ProgrammeById
    columns = {"requirement_json": "requirement"}
    id: relay.NodeID[int]
    external_id: str
    name: str
    award_kind: str
    policy_name: str = strawberry.field(
        description="The credit policy that decides admissible credits."
    )
    credits: float | None
    ncrf_level: float | None
    duration_years: float | None
    url: str | None
    withdrawn: bool
    institution_id: strawberry.Private[int]
    requirement_json: strawberry.Private[Any]

    @strawberry.field
    async def institution(self, info: Info) -> Institution:
        row = await info.context.loader(InstitutionById).load(self.institution_id)
        return Institution.from_row(row)

    @strawberry.field(description="What must be completed, as a tree.")
    def requirement(self) -> RequirementNode | None:
        return RequirementNode.from_json(self.requirement_json)
