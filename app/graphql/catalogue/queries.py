"""Root fields of the public catalogue."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from app.db.models.catalogue import Course as CourseModel
from app.db.models.catalogue import Institution as InstitutionModel
from app.db.models.catalogue import Programme as ProgrammeModel
from app.db.models.catalogue import Provider as ProviderModel
from app.db.models.pathways import Pathway as PathwayModel
from app.graphql.catalogue.facets import CourseFacets
from app.graphql.catalogue.filters import CourseFilter, filter_courses
from app.graphql.catalogue.loaders import (
    COURSE_FIELDS,
    INSTITUTION_FIELDS,
    PATHWAY_FIELDS,
    PROGRAMME_FIELDS,
    PROVIDER_FIELDS,
    OfferingsByCourse,
    ProviderById,
)
from app.graphql.catalogue.ordering import CourseOrder, sort_keys
from app.graphql.catalogue.pathways import Institution, Pathway, Programme
from app.graphql.catalogue.prefetch import node_fields
from app.graphql.catalogue.types import Course, Info, Provider, ProviderKind
from app.graphql.connection import to_connection
from app.graphql.errors import BadUserInput, NotFound
from app.graphql.pagination import SortKey, keyset_page, validate_first


@strawberry.type(description="A page of courses, with counts for the whole filter.")
class CourseConnection(relay.Connection[Course]):
    queryset: strawberry.Private[QuerySet[CourseModel]]

    @strawberry.field(description="How many courses match the filter (all pages).")
    async def total_count(self) -> int:
        return await self.queryset.count()

    @strawberry.field(
        description="Counts by provider, level, mode, language and credits band "
        "of the courses matching the filter (all pages)."
    )
    def facets(self) -> CourseFacets:
        return CourseFacets(queryset=self.queryset)


def _first(info: Info, first: int | None) -> int:
    return validate_first(first, info.context.settings.limits.max_first)


def _id_of(gid: relay.GlobalID, type_name: str, field: str) -> int:
    if gid.type_name != type_name or not gid.node_id.isdigit():
        raise BadUserInput(f"`{field}` is not a {type_name} id", field=field)
    return int(gid.node_id)


async def _prefetch_course_relations(info: Info, rows: list[dict]) -> None:
    """Provider and offerings of the page, when selected (prefetch.py)."""
    wanted = node_fields(info.selected_fields[0].selections, ("edges", "node"))
    loads = []
    if "provider" in wanted:
        loader = info.context.loader(ProviderById)
        loads.append(loader.load_many({r["provider_id"] for r in rows}))
    if "offerings" in wanted:
        loads.append(
            info.context.loader(OfferingsByCourse).load_many([r["id"] for r in rows])
        )
    if loads:
        await asyncio.gather(*loads)


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Providers, by name. `first` is at most 100.")
    async def providers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[ProviderKind] | None = None,
    ) -> relay.Connection[Provider]:
        queryset = ProviderModel.all()
        if kinds:
            queryset = queryset.filter(kind__in=[k.value for k in kinds])
        page = await keyset_page(
            queryset,
            [SortKey("name")],
            first=_first(info, first),
            after=after,
            fields=PROVIDER_FIELDS,
        )
        return to_connection(page, Provider.from_row)

    @strawberry.field(
        description="Courses of every provider, filtered and ordered. Default "
        "order: RELEVANCE when searching, else TITLE. `first` is at most 100; "
        "cursors stay valid when courses are added."
    )
    async def courses(
        self,
        info: Info,
        filter: CourseFilter | None = None,
        order_by: CourseOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CourseConnection:
        queryset, searching = filter_courses(filter)
        keys, tag = sort_keys(order_by, searching)
        page = await keyset_page(
            queryset,
            keys,
            first=_first(info, first),
            after=after,
            fields=COURSE_FIELDS,
            tag=tag,
        )
        await _prefetch_course_relations(info, page.rows)
        return to_connection(page, Course.from_row, CourseConnection, queryset=queryset)

    @strawberry.field(description="One course by its global ID.")
    async def course(self, info: Info, id: relay.GlobalID) -> Course:
        if id.type_name != "Course":
            raise NotFound(f"no course with id {id}")
        nodes = await Course.resolve_nodes(
            info=info, node_ids=[id.node_id], required=True
        )
        return nodes[0]

    @strawberry.field(description="Pathways (stackable credentials), by title.")
    async def pathways(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        providers: list[str] | None = None,
        include_withdrawn: bool = False,
    ) -> relay.Connection[Pathway]:
        queryset = PathwayModel.all()
        if providers:
            queryset = queryset.filter(provider__slug__in=providers)
        if not include_withdrawn:
            queryset = queryset.filter(withdrawn=False)
        page = await keyset_page(
            queryset,
            [SortKey("title")],
            first=_first(info, first),
            after=after,
            fields=PATHWAY_FIELDS,
        )
        return to_connection(page, Pathway.from_row)

    @strawberry.field(description="Institutions that grant programmes, by name.")
    async def institutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[Institution]:
        page = await keyset_page(
            InstitutionModel.all(),
            [SortKey("name")],
            first=_first(info, first),
            after=after,
            fields=INSTITUTION_FIELDS,
        )
        return to_connection(page, Institution.from_row)

    @strawberry.field(description="Programmes (awards of institutions), by name.")
    async def programmes(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        institution: relay.GlobalID | None = None,
        include_withdrawn: bool = False,
    ) -> relay.Connection[Programme]:
        queryset = ProgrammeModel.all()
        if institution is not None:
            queryset = queryset.filter(
                institution_id=_id_of(institution, "Institution", "institution")
            )
        if not include_withdrawn:
            queryset = queryset.filter(withdrawn=False)
        page = await keyset_page(
            queryset,
            [SortKey("name")],
            first=_first(info, first),
            after=after,
            fields=PROGRAMME_FIELDS,
        )
        return to_connection(page, Programme.from_row)
