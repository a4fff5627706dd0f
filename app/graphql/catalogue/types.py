"""Catalogue object types. Each is built from a row dict; relations go
through the request's loaders, so a page of N courses costs one statement per
relation, not N."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from app.graphql.catalogue.loaders import (
    CourseById,
    CoursesByEquivalenceGroup,
    OfferingById,
    OfferingsByCourse,
    PathwaysByCourse,
    ProviderById,
)
from app.graphql.catalogue.prefetch import loaded_or_load
from app.graphql.context import Context
from app.graphql.errors import NotFound

if TYPE_CHECKING:
    from app.graphql.catalogue.pathways import Pathway

Info = strawberry.Info[Context, None]


@strawberry.enum(description="How a course or offering is delivered.")
class Mode(Enum):
    ONLINE = "online"
    BLENDED = "blended"
    IN_PERSON = "in_person"


@strawberry.enum(description="What kind of organisation a provider is.")
class ProviderKind(Enum):
    NATIONAL_COORDINATOR = "national_coordinator"
    UNIVERSITY = "university"
    PLATFORM = "platform"
    BADGE_ISSUER = "badge_issuer"
    INSTITUTION = "institution"


@strawberry.enum(description="Where a course's credit value came from.")
class CreditSource(Enum):
    STATED = "stated"
    DERIVED = "derived"
    POLICY = "policy"


def _enum(cls: type[Enum], value: str | None) -> Any:
    return cls(value) if value is not None else None


async def load_nodes(
    info: Info, loader: type, ids: Iterable[str], *, required: bool
) -> list[Any]:
    """Rows for node ids; a missing one is NOT_FOUND when the caller needs it."""
    keys = []
    for node_id in ids:
        if not node_id.isdigit():
            raise NotFound(f"no object with id {node_id!r}")
        keys.append(int(node_id))
    rows = await info.context.loader(loader).load_many(keys)
    if required and any(row is None for row in rows):
        raise NotFound("no object with that id")
    return rows


class RowNode:
    """node(id) for a type built by `from_row` from the rows of `loader`: the
    ids of one request are fetched together, whatever their number."""

    loader: ClassVar[type[DataLoader]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await load_nodes(info, cls.loader, node_ids, required=required)
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(
    description="A national coordinator, university, platform or badge issuer."
)
class Provider(RowNode, relay.Node):
    loader = ProviderById
    id: relay.NodeID[int]
    slug: str
    name: str
    kind: ProviderKind
    country: str | None
    url: str | None
    abc_registered: bool = strawberry.field(
        description="May deposit credits in the Academic Bank of Credits."
    )
    swayam: bool = strawberry.field(description="Is a SWAYAM national coordinator.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            slug=row["slug"],
            name=row["name"],
            kind=ProviderKind(row["kind"]),
            country=row["country"],
            url=row["url"],
            abc_registered=row["abc_registered"],
            swayam=row["swayam"],
        )


@strawberry.type(description="One run of a course: dates, fee, mode.")
class Offering(RowNode, relay.Node):
    loader = OfferingById
    id: relay.NodeID[int]
    external_id: str = strawberry.field(
        description="The provider's id of this run (a SWAYAM slug, an edX run key)."
    )
    start: date | None
    end: date | None
    enrolment_end: date | None
    exam_date: date | None
    fee_minor: int | None = strawberry.field(
        description="Fee in the currency's minor unit (paise, cents); 0 is free."
    )
    currency: str | None
    mode: Mode | None
    language: str | None
    status: str | None
    url: str | None
    has_exam: bool | None
    withdrawn: bool
    course_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            external_id=row["external_id"],
            start=row["start"],
            end=row["end"],
            enrolment_end=row["enrolment_end"],
            exam_date=row["exam_date"],
            fee_minor=row["fee_minor"],
            currency=row["currency"],
            mode=_enum(Mode, row["mode"]),
            language=row["language"],
            status=row["status"],
            url=row["url"],
            has_exam=row["has_exam"],
            withdrawn=row["withdrawn"],
            course_id=row["course_id"],
        )

    @strawberry.field
    async def course(self, info: Info) -> Course:
        return Course.from_row(
            await info.context.loader(CourseById).load(self.course_id)
        )


def next_first(offerings: list[Offering], today: date) -> list[Offering]:
    """Upcoming and running offerings by start date, then past ones, newest first."""

    def key(o: Offering) -> tuple:
        current = (o.end or o.start or today) >= today
        start = (o.start or date.max).toordinal()
        return (0, start) if current else (1, -start)

    return sorted(offerings, key=key)


def _offerings(rows: list[dict[str, Any]]) -> list[Offering]:
    return next_first([Offering.from_row(r) for r in rows], date.today())


@strawberry.type(description="A stable course of a provider; its runs are offerings.")
class Course(RowNode, relay.Node):
    loader = CourseById
    id: relay.NodeID[int]
    external_id: str
    title: str
    description: str | None
    subjects: list[str]
    ncrf_level: float | None = strawberry.field(
        description="NCrF level (4.5 = first year of a bachelor's … 8 = PhD)."
    )
    level_label: str | None
    notional_hours: float | None = strawberry.field(
        description="Total notional learning hours (contact + self study)."
    )
    contact_hours: float | None
    weeks: int | None
    hours_per_week: float | None
    workload_text: str | None = strawberry.field(
        description="The provider's workload text when it could not be read as hours."
    )
    credits: float | None = strawberry.field(
        description="Credits (NCrF unless creditUnit says otherwise); see creditSource."
    )
    credit_source: CreditSource | None = strawberry.field(
        description="Where `credits` came from: STATED by the provider, DERIVED "
        "from notional hours (30 hours a credit), or an institution POLICY."
    )
    credit_unit: str | None = strawberry.field(
        description="The unit `credits` were stated in by the provider (ncrf, "
        "ects, us…), when it was not NCrF."
    )
    language: str | None
    languages: list[str]
    mode: Mode
    url: str | None
    institute: str | None
    coordinator: str | None = strawberry.field(
        description="SWAYAM national coordinator code (NPTEL, CEC, IGNOU…)."
    )
    has_certificate: bool | None
    withdrawn: bool
    next_start: date | None
    provider_id: strawberry.Private[int]
    equivalence_group_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(
            id=row["id"],
            external_id=row["external_id"],
            title=row["title"],
            description=row["description"],
            subjects=list(row["subjects"] or ()),
            ncrf_level=row["ncrf_level"],
            level_label=row["level_label"],
            notional_hours=row["notional_hours"],
            contact_hours=row["contact_hours"],
            weeks=row["weeks"],
            hours_per_week=row["hours_per_week"],
            workload_text=row["workload_text"],
            credits=row["credits"],
            credit_source=_enum(CreditSource, row["credit_source"]),
            credit_unit=row["credit_unit"],
            language=row["language"],
            languages=list(row["languages"] or ()),
            mode=Mode(row["mode"]),
            url=row["url"],
            institute=row["institute"],
            coordinator=row["coordinator"],
            has_certificate=row["has_certificate"],
            withdrawn=row["withdrawn"],
            next_start=row["next_start"],
            provider_id=row["provider_id"],
            equivalence_group_id=row["equivalence_group_id"],
        )

    # Sync resolvers that may return an awaitable: see prefetch.py.
    @strawberry.field
    def provider(self, info: Info) -> Provider:
        return loaded_or_load(  # type: ignore[return-value]
            info.context, ProviderById, self.provider_id, Provider.from_row
        )

    @strawberry.field(description="The course's runs, the next one first.")
    def offerings(self, info: Info) -> list[Offering]:
        return loaded_or_load(  # type: ignore[return-value]
            info.context, OfferingsByCourse, self.id, _offerings
        )

    @strawberry.field(
        description="The same course offered through other providers (an NPTEL "
        "course on SWAYAM and on NPTEL's own list)."
    )
    async def equivalents(self, info: Info) -> list[Course]:
        if self.equivalence_group_id is None:
            return []
        loader = info.context.loader(CoursesByEquivalenceGroup)
        rows = await loader.load(self.equivalence_group_id)
        return [Course.from_row(r) for r in rows if r["id"] != self.id]

    @strawberry.field(description="Pathways this course counts toward.")
    async def pathways(
        self, info: Info
    ) -> list[Annotated[Pathway, strawberry.lazy("app.graphql.catalogue.pathways")]]:
        from app.graphql.catalogue.pathways import Pathway

        rows = await info.context.loader(PathwaysByCourse).load(self.id)
        return [Pathway.from_row(r) for r in rows]
