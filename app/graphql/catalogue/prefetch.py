"""Relations of a whole page loaded before its fields resolve.

An async field resolver costs graphql-core a task per item; for a page of 50
courses with provider and offerings that is most of the time spent (TECH-NOTES
§5). So the root field loads the relations the query selects, through the
same per-request DataLoaders (one batched statement each), and the field
resolvers return what is already loaded without awaiting; anything not
prefetched is still loaded, batched, on demand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from app.graphql.context import Context

T = TypeVar("T")
R = TypeVar("R")


def node_fields(selected: Iterable[Any], path: tuple[str, ...]) -> set[str]:
    """Names selected at `path` (e.g. edges → node), through fragments."""
    found: set[str] = set()
    for selection in selected:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found |= node_fields(selection.selections, path)
        elif isinstance(selection, SelectedField):
            if not path:
                found.add(selection.name)
            elif selection.name == path[0]:
                found |= node_fields(selection.selections, path[1:])
    return found


def loaded_or_load(
    context: Context, loader_cls: type, key: Any, build: Callable[[Any], R]
) -> R | Awaitable[R]:
    """`build(value)` at once when the request's loader already holds the value
    for `key`; otherwise an awaitable of it (graphql-core awaits either)."""
    loader = context.loader(loader_cls)
    future = loader.cache_map.get(key)
    if future is not None and future.done() and future.exception() is None:
        return build(future.result())

    async def later() -> R:
        return build(await loader.load(key))

    return later()
