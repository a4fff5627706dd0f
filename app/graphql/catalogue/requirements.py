"""Requirement trees (DESIGN.md "Requirement trees") as typed GraphQL nodes.

One recursive type, not a union per node kind: a client reads a tree of any
depth with one fragment (`fragment N on RequirementNode { type children {…} }`)
instead of a fragment per kind at every level. The tree is shown as stored;
app/credits validates and evaluates it.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.graphql.catalogue.loaders import CourseById
from app.graphql.context import Context

if TYPE_CHECKING:
    from app.graphql.catalogue.types import Course

# types.py imports this module, so its Info alias cannot be imported here
Info = strawberry.Info[Context, None]


@strawberry.enum(description="The kind of a requirement node.")
class RequirementType(Enum):
    ALL_OF = "all_of"
    ANY_OF = "any_of"
    N_OF = "n_of"
    COURSE = "course"
    MIN_CREDITS = "min_credits"
    MIN_COURSES = "min_courses"
    MAX_SHARE = "max_share"
    MIN_SHARE = "min_share"
    MIN_SCORE = "min_score"


@strawberry.type(description="Which credits a node counts (empty: every credit).")
class RequirementFilter:
    categories: list[str] | None
    not_categories: list[str] | None
    level_min: float | None
    level_max: float | None
    provider_kinds: list[str] | None
    kinds: list[str] | None
    not_kinds: list[str] | None
    subjects: list[str] | None

    @classmethod
    def from_json(cls, raw: Any) -> RequirementFilter | None:
        if not isinstance(raw, dict) or not raw:
            return None

        def words(key: str) -> list[str] | None:
            value = raw.get(key)
            return [value] if isinstance(value, str) else value

        return cls(
            categories=words("category"),
            not_categories=words("not_category"),
            level_min=raw.get("level_min"),
            level_max=raw.get("level_max"),
            provider_kinds=words("provider_kind"),
            kinds=words("kind"),
            not_kinds=words("not_kind"),
            subjects=words("subject"),
        )


def _number(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) else None


@strawberry.type(
    description="A node of a requirement tree: a group (ALL_OF, ANY_OF, N_OF) "
    "with children, or a leaf (COURSE, MIN_CREDITS, …)."
)
class RequirementNode:
    type: RequirementType
    rule: str | None = strawberry.field(description="The RULES.md id it encodes.")
    description: str | None
    n: float | None = strawberry.field(
        description="N_OF: children to meet; MIN_CREDITS / MIN_COURSES: the "
        "minimum; MIN_SCORE: the minimum score."
    )
    limit: float | None = strawberry.field(description="Shares: the fraction (0–1).")
    unit: str | None = strawberry.field(description="Shares: credits or courses.")
    ref: str | None = strawberry.field(description="COURSE: the course reference.")
    where: RequirementFilter | None
    children: list[RequirementNode]
    course_id: strawberry.Private[int | None]

    @strawberry.field(description="COURSE: the catalogue course, when it is known.")
    async def course(
        self, info: Info
    ) -> Annotated[Course, strawberry.lazy("app.graphql.catalogue.types")] | None:
        from app.graphql.catalogue.types import Course

        if self.course_id is None:
            return None
        row = await info.context.loader(CourseById).load(self.course_id)
        return Course.from_row(row) if row else None

    @classmethod
    def from_json(
        cls, raw: Any, course_ids: dict[str, int] | None = None
    ) -> RequirementNode | None:
        """The node of a stored tree; `course_ids` maps COURSE refs to courses."""
        if not isinstance(raw, dict):
            return None
        try:
            kind = RequirementType(raw.get("type"))
        except ValueError:
            return None
        children = [
            node
            for node in (cls.from_json(c, course_ids) for c in raw.get("children", []))
            if node is not None
        ]
        ref = raw.get("ref")
        n = _number(raw, "min") if kind is RequirementType.MIN_SCORE else None
        return cls(
            type=kind,
            rule=raw.get("rule"),
            description=raw.get("description"),
            n=n if n is not None else _number(raw, "n"),
            limit=_number(raw, "limit"),
            unit=raw.get("unit"),
            ref=ref,
            where=RequirementFilter.from_json(raw.get("where")),
            children=children,
            course_id=(course_ids or {}).get(ref) if isinstance(ref, str) else None,
        )
