"""Rows of `model.filter(column__in=keys).order_by(…).values(…)` with the
query built once.

Tortoise builds a query's SQL anew on every await, and for the loaders of an
uncached page that building was about a quarter of the request's time. The
SQL of such a query depends only on the backend and the number of keys, so
it is built by Tortoise once per (query shape, backend, key count), its bound
parameters checked to be exactly the keys, and from then on only executed,
with the same conversions of column values Tortoise's `.values()` applies.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from tortoise.models import Model

_Compiled = tuple[str, list[tuple[str, Callable[[Any], Any]]]] | None
_CACHE: dict[tuple, _Compiled] = {}
_MAX_ENTRIES = 2048  # shapes x backends x key counts; a cap against surprises


async def rows_in(
    model: type[Model],
    column: str,
    keys: Sequence[Any],
    fields: Sequence[str],
    order: Sequence[str] = (),
    joined: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """`model.filter(<column>__in=keys).order_by(*order).values(*fields,
    **joined)`, the same rows with the same values."""
    joined = joined or {}
    db = model._meta.db
    shape = (
        model,
        column,
        tuple(fields),
        tuple(order),
        tuple(joined.items()),
        db.capabilities.dialect,
        len(keys),
    )
    compiled = _CACHE.get(shape, False)
    if compiled is False:
        query = _query(model, column, keys, fields, order, joined)
        compiled = _compile(model, query, keys)
        if len(_CACHE) >= _MAX_ENTRIES:
            _CACHE.clear()
        _CACHE[shape] = compiled
    if compiled is None:  # a shape Tortoise does not bind as plain keys
        return await _query(model, column, keys, fields, order, joined)
    sql, converters = compiled
    rows = await db.execute_query_dict(sql, list(keys))
    for row in rows:
        for name, convert in converters:
            row[name] = convert(row[name])
    return rows


def _query(
    model: type[Model],
    column: str,
    keys: Sequence[Any],
    fields: Sequence[str],
    order: Sequence[str],
    joined: dict[str, str],
) -> Any:
    queryset = model.filter(**{f"{column}__in": list(keys)})
    return queryset.order_by(*order).values(*fields, **joined)


def _compile(model: type[Model], query: Any, keys: Sequence[Any]) -> _Compiled:
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    if list(params) != list(keys):
        return None
    # as ValuesQuery._execute converts (identity lambdas skipped)
    converters = [
        (alias, query.resolve_to_python_value(model, name))
        for alias, name in query._fields_for_select.items()
    ]
    return sql, [
        (alias, f) for alias, f in converters if not isinstance(f, types.LambdaType)
    ]
