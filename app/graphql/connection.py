"""Relay connections built from keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry import relay

from app.graphql.pagination import Page

N = TypeVar("N", bound=relay.Node)


def to_connection(
    page: Page,
    build: Callable[[dict[str, Any]], N],
    cls: type[relay.Connection[N]] = relay.Connection,
    **extra: Any,
) -> relay.Connection[N]:
    """A connection of a page; `cls` and `extra` make a subclass that adds
    fields (facets, a total count) to the standard ones."""
    edges = [
        relay.Edge(cursor=cursor, node=build(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return cls(
        **extra,
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )
