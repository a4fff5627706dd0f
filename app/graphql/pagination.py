"""Keyset (cursor) pagination over Tortoise querysets.

Offset cursors shift when rows are added (TECH-NOTES §1.5); a keyset cursor
carries the sort values of the last row seen, so the next page starts after
that row whatever was inserted meanwhile. The id is always the last sort key,
which makes every order total.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pypika_tortoise.terms import Term
from tortoise.expressions import Expression, Q
from tortoise.queryset import QuerySet

from app.graphql.errors import BadUserInput

DEFAULT_PAGE = 20


@dataclass(frozen=True)
class SortKey:
    """One sort column. With `expression`, the column is that expression
    annotated under `column` (how a nullable column is sorted: by a non-null
    COALESCE of it). `parse` turns the cursor's JSON value back into what the
    database compares (a date from its ISO text, for PostgreSQL)."""

    column: str
    descending: bool = False
    expression: Expression | Term | None = None
    parse: Callable[[Any], Any] | None = None


def encode_cursor(values: list[Any], tag: str = "") -> str:
    # The tag names the ordering, so a cursor of another one is refused
    # instead of silently starting at a wrong place.
    raw = json.dumps([tag, *values], default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, expected: int, tag: str = "") -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadUserInput(
            "`after` is not a cursor this API issued", field="after"
        ) from exc
    if not isinstance(values, list) or len(values) != expected + 1 or values[0] != tag:
        raise BadUserInput("`after` is a cursor for another ordering", field="after")
    return values[1:]


def _after_condition(keys: list[SortKey], values: list[Any]) -> Q:
    """(k1 > v1) OR (k1 = v1 AND k2 > v2) OR … for a lexicographic order.

    Sort columns must be non-null (SQLite and PostgreSQL disagree on where
    NULLs sort); order nullable data by a non-null derived column instead.
    """
    condition: Q | None = None
    for i, key in enumerate(keys):
        op = "lt" if key.descending else "gt"
        prefix = [Q(**{k.column: values[j]}) for j, k in enumerate(keys[:i])]
        term = Q(*prefix, Q(**{f"{key.column}__{op}": values[i]}))
        condition = term if condition is None else condition | term
    assert condition is not None
    return condition


def validate_first(first: int | None, cap: int) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0:
        raise BadUserInput("`first` must not be negative", field="first")
    if first > cap:
        raise BadUserInput(f"`first` must be at most {cap}", field="first")
    return first


@dataclass
class Page:
    rows: list[dict[str, Any]]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


async def keyset_page(
    queryset: QuerySet,
    keys: list[SortKey],
    *,
    first: int,
    after: str | None,
    fields: tuple[str, ...],
    tag: str = "",
) -> Page:
    """One page of rows (as dicts of `fields`, plus annotated sort keys)
    after a cursor issued for the same ordering `tag`."""
    if keys[-1].column != "id":
        keys = [*keys, SortKey("id")]
    annotations = {k.column: k.expression for k in keys if k.expression is not None}
    if annotations:
        queryset = queryset.annotate(**annotations)
    if after:
        raw = decode_cursor(after, len(keys), tag)
        try:
            values = [
                k.parse(v) if k.parse else v for k, v in zip(keys, raw, strict=True)
            ]
        except (TypeError, ValueError) as exc:
            raise BadUserInput(
                "`after` is not a cursor this API issued", field="after"
            ) from exc
        queryset = queryset.filter(_after_condition(keys, values))
    ordering = [f"-{k.column}" if k.descending else k.column for k in keys]
    selected = tuple(dict.fromkeys([*fields, *(k.column for k in keys)]))
    rows = await queryset.order_by(*ordering).limit(first + 1).values(*selected)
    has_next = len(rows) > first
    rows = rows[:first]
    cursors = [encode_cursor([row[k.column] for k in keys], tag) for row in rows]
    return Page(rows, cursors, has_next, bool(after))
