"""Course orders and their keyset sort keys.

pagination.py needs non-null sort columns (SQLite puts NULLs first, PostgreSQL
last), so a nullable column is sorted by COALESCE(column, sentinel), with the
sentinel chosen so courses without a value come last in either direction; the
cursor carries the coalesced value.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from tortoise.functions import Coalesce

from app.graphql.errors import BadUserInput
from app.graphql.pagination import SortKey
from app.search import RELEVANCE


@strawberry.enum(description="What to sort courses by.")
class CourseOrderField(Enum):
    RELEVANCE = "relevance"
    START_DATE = "next_start"
    CREDITS = "credits"
    HOURS = "notional_hours"
    FEE = "min_fee_minor"
    TITLE = "title"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="A course order; ties are broken by id.")
class CourseOrder:
    field: CourseOrderField
    direction: OrderDirection | None = strawberry.field(
        default=None,
        description="Default: DESC for RELEVANCE, ASC for the others. "
        "Courses without a value (no credits, no upcoming start…) come last "
        "either way.",
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# (sentinel sorting last ascending, sentinel sorting last descending, parse);
# the sentinel has the column's type (PostgreSQL types COALESCE's parameter
# from the column: an int4 fee cannot take a float or a value over 2^31).
_NULLABLE: dict[CourseOrderField, tuple[Any, Any, Any]] = {
    CourseOrderField.START_DATE: (date(9999, 12, 31), date(1, 1, 1), _as_date),
    CourseOrderField.CREDITS: (1e15, -1e15, float),
    CourseOrderField.HOURS: (1e15, -1e15, float),
    CourseOrderField.FEE: (2**31 - 1, -(2**31), int),
}


def _nullable(field: CourseOrderField, descending: bool) -> SortKey:
    last_asc, last_desc, parse = _NULLABLE[field]
    return SortKey(
        f"sort_{field.value}",
        descending,
        expression=Coalesce(field.value, last_desc if descending else last_asc),
        parse=parse,
    )


def sort_keys(order: CourseOrder | None, searching: bool) -> tuple[list[SortKey], str]:
    """The sort keys of an order, and the tag its cursors carry."""
    if order is None:
        order = CourseOrder(
            field=CourseOrderField.RELEVANCE if searching else CourseOrderField.TITLE
        )
    field = order.field
    if field is CourseOrderField.RELEVANCE and not searching:
        raise BadUserInput(
            "RELEVANCE needs a text search (filter.search)", field="orderBy"
        )
    default_desc = field is CourseOrderField.RELEVANCE
    descending = (
        default_desc
        if order.direction is None
        else order.direction is OrderDirection.DESC
    )
    tag = f"{field.name}:{'d' if descending else 'a'}"
    if field is CourseOrderField.RELEVANCE:
        return [SortKey(RELEVANCE, descending)], tag
    if field is CourseOrderField.TITLE:
        return [SortKey("title", descending)], tag
    return [_nullable(field, descending)], tag
