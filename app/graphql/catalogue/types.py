"""Catalogue object types. Each is built from a row dict; relations go
through the request's loaders, so a page of N courses costs one statement per
relation, not N."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self, TypeVar

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


@cache
def row_plan(cls: type[RowNode]) -> list[tuple[str, str, Any]]:
    """(field, column, conversion) for every constructor field of a type."""
    return [
        (f.name, cls.columns.get(f.name, f.name), cls.convert.get(f.name))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init
    ]


def _list(value: Any) -> list:
    return list(value or ())


def _optional(enum: type[Enum]) -> Callable[[Any], Any]:
    return lambda value: _enum(enum, value)


class RowNode:
    """node(id) for a type built by `from_row` from the rows of `loader`: the
    ids of one request are fetched together, whatever their number."""

    loader: ClassVar[type[DataLoader]]
    # field -> row column, where the names differ
    columns: ClassVar[dict[str, str]] = {}
    # field -> conversion of the column's value (enums, JSON lists)
    convert: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        values = {}
        for name, column, conversion in row_plan(cls):
            value = row[column]
            values[name] = conversion(value) if conversion else value
        return cls(**values)

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
    convert = {"kind": ProviderKind}
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


@strawberry.type(description="One run of a course: dates, fee, mode.")
class Offering(RowNode, relay.Node):
    loader = OfferingById
    convert = {"mode": _optional(Mode)}
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

    @strawberry.field
    async def course(self, info: Info) -> Course:
        return Course.from_row(
            await info.context.loader(CourseById).load(self.course_id)
        )


T = TypeVar("T")


def _dates(offering: Offering) -> tuple[date | None, date | None]:
    return offering.start, offering.end


def next_first(
    offerings: list[T],
    today: date,
    dates: Callable[[T], tuple[date | None, date | None]] = _dates,  # type: ignore[assignment]
) -> list[T]:
    """Upcoming and running offerings by start date, then past ones, newest
    first. `dates` reads an offering's (start, end): from the type, or from
    its row (the fast path, fastpath.py)."""

    def key(o: T) -> tuple:
        start, end = dates(o)
        current = (end or start or today) >= today
        ordinal = (start or date.max).toordinal()
        return (0, ordinal) if current else (1, -ordinal)

    return sorted(offerings, key=key)


def _offerings(rows: list[dict[str, Any]]) -> list[Offering]:
    return next_first([Offering.from_row(r) for r in rows], date.today())


@strawberry.type(description="A stable course of a provider; its runs are offerings.")
class Course(RowNode, relay.Node):
    loader = CourseById
    convert = {
        "subjects": _list,
        "languages": _list,
        "credit_source": _optional(CreditSource),
        "mode": Mode,
    }
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
