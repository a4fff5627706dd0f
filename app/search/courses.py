"""Text search over courses: the one interface the API uses on either backend.

The index decides which courses match; relevance then ranks the matches from
the row alone, never from corpus statistics (FTS5's bm25 weighs terms by how
rare they are, so every insert would shift every score and a keyset cursor
carrying a score would skip or repeat rows). It is the same number on both
backends: 4 when the title contains every term, 2 for subjects, 1 for the
description, plus 1/(1 + title length) so shorter titles come first among
equals. "Contains" is a plain substring test on the lower-cased text, cheap on
the rows already matched (a second full-text query per column cost more than
the search itself); it may also credit a term found inside a word.
"""

from __future__ import annotations

from types import ModuleType

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet

from app.db.models.catalogue import Course
from app.search import postgres, sqlite

RELEVANCE = "relevance"
_HIT = "search_hit"
# Compared with a literal, not a bound parameter: PostgreSQL switches a
# prepared statement to a generic plan after five runs, and `match = $1`
# cannot use the index there (every row's document is rebuilt: 100 ms instead
# of 20 on 50,000 courses); `match = TRUE` folds to `match`, which can.
_TRUE = RawSQL("TRUE")


def _backend(dialect: str) -> ModuleType:
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgres":
        return postgres
    raise NotImplementedError(f"no text search for the {dialect} dialect")


def _dialect_module(client: BaseDBAsyncClient) -> ModuleType:
    return _backend(client.capabilities.dialect)


async def _run(client: BaseDBAsyncClient | None, statements: str) -> None:
    """Run the backend module's tuple of DDL named `statements`."""
    client = _client(client)
    for sql in getattr(_dialect_module(client), statements):
        await client.execute_script(sql)


def _client(client: BaseDBAsyncClient | None) -> BaseDBAsyncClient:
    return client or connections.get("default")


async def install_search_index(client: BaseDBAsyncClient | None = None) -> None:
    """Create the search index (idempotent). The migration calls it; tests whose
    tables come from generate_schemas call it themselves."""
    await _run(client, "INSTALL")


async def reinstall_search_index(client: BaseDBAsyncClient | None = None) -> None:
    """Install the current triggers over older ones (migration 0005)."""
    await _run(client, "REINSTALL")


def ingested_rows_sql(dialect: str, count: int) -> str | None:
    """The statement that indexes `count` course ids the sync engine has just
    inserted (bound as parameters), or None where the backend needs nothing."""
    return _backend(dialect).index_rows(count)


async def per_row_search_index(client: BaseDBAsyncClient | None = None) -> None:
    """Back to an insert trigger for every row (migration 0005 reversed)."""
    await _run(client, "PER_ROW")


async def drop_search_index(client: BaseDBAsyncClient | None = None) -> None:
    await _run(client, "UNINSTALL")


async def refresh_search_index(client: BaseDBAsyncClient | None = None) -> None:
    """Rebuild the index from the course table. Not needed after ordinary
    writes (triggers on SQLite, a generated column on PostgreSQL keep it in
    step; the sync engine indexes what it inserts); for repairs."""
    await _run(client, "REFRESH")


def text_search(queryset: QuerySet[Course], terms: list[str]) -> QuerySet[Course]:
    """Courses matching every term (each a word prefix, in any of title,
    description and subjects), annotated with RELEVANCE."""
    backend = _dialect_module(queryset._db or connections.get("default"))

    def contains_all(column: str) -> str:
        text = f"lower(coalesce({backend.column(column)}, ''))"
        hits = " AND ".join(backend.contains(text, term) for term in terms)
        return backend.as_number(f"({hits})")

    score = backend.as_float(
        f"4.0 * {contains_all('title')} "
        f"+ 2.0 * {contains_all('subjects')} "
        f"+ 1.0 * {contains_all('description')} "
        f"+ 1.0 / (1 + {backend.title_length()})"
    )
    return queryset.annotate(
        **{_HIT: RawSQL(backend.match(terms)), RELEVANCE: RawSQL(score)}
    ).filter(**{_HIT: _TRUE})
