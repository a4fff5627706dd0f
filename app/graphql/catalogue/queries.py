"""Root fields of the public catalogue."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.db.models.catalogue import Course as CourseModel
from app.db.models.catalogue import Provider as ProviderModel
from app.graphql.catalogue.loaders import COURSE_FIELDS, PROVIDER_FIELDS
from app.graphql.catalogue.types import Course, Info, Provider
from app.graphql.connection import to_connection
from app.graphql.errors import NotFound
from app.graphql.pagination import SortKey, keyset_page, validate_first


@strawberry.type
class CatalogueQuery:
    @strawberry.field(description="Providers, by name. `first` is at most 100.")
    async def providers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[Provider]:
        page = await keyset_page(
            ProviderModel.all(),
            [SortKey("name")],
            first=validate_first(first, info.context.settings.limits.max_first),
            after=after,
            fields=PROVIDER_FIELDS,
        )
        return to_connection(page, Provider.from_row)

    @strawberry.field(
        description="Courses of every provider, by title. `first` is at most 100; "
        "cursors stay valid when courses are added."
    )
    async def courses(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        include_withdrawn: bool = False,
    ) -> relay.Connection[Course]:
        queryset = CourseModel.all()
        if not include_withdrawn:
            queryset = queryset.filter(withdrawn=False)
        page = await keyset_page(
            queryset,
            [SortKey("title")],
            first=validate_first(first, info.context.settings.limits.max_first),
            after=after,
            fields=COURSE_FIELDS,
        )
        return to_connection(page, Course.from_row)

    @strawberry.field(description="One course by its global ID.")
    async def course(self, info: Info, id: relay.GlobalID) -> Course:
        if id.type_name != "Course":
            raise NotFound(f"no course with id {id}")
        nodes = await Course.resolve_nodes(
            info=info, node_ids=[id.node_id], required=True
        )
        return nodes[0]
