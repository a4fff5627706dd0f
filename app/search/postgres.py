"""PostgreSQL: a GIN index on an expression over title, description and
subjects. An expression index is always in step with its table, so nothing
has to refresh it after a sync."""

from __future__ import annotations

INDEX = "course_search_idx"


def _document(table: str | None) -> str:
    prefix = f'"{table}".' if table else ""
    return (
        f"coalesce({prefix}\"title\", '') || ' ' || "
        f"coalesce({prefix}\"description\", '') || ' ' || "
        f"coalesce({prefix}\"subjects\"::text, '')"
    )


# `simple`: no stemming and no stop words, like the FTS5 side.
INSTALL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON course "
    f"USING gin (to_tsvector('simple'::regconfig, {_document(None)}))",
)
UNINSTALL = (f"DROP INDEX IF EXISTS {INDEX}",)
REFRESH: tuple[str, ...] = ()


def _query(terms: list[str]) -> str:
    # terms are letters and digits only (terms.py): safe inside the literal
    return "to_tsquery('simple'::regconfig, '{}')".format(
        " & ".join(f"{t}:*" for t in terms)
    )


def match(terms: list[str]) -> str:
    """A boolean SQL expression: the course row matches every term. Written
    exactly as the index is, so the index is used."""
    return (
        f"(to_tsvector('simple'::regconfig, {_document('course')}) @@ {_query(terms)})"
    )


def column(name: str) -> str:
    # subjects is jsonb: its text, as the index reads it
    return f'"course"."{name}"::text' if name == "subjects" else f'"course"."{name}"'


def contains(text: str, term: str) -> str:
    # terms are letters and digits only (terms.py): safe inside the literal
    return f"strpos({text}, '{term}') > 0"


def title_length() -> str:
    return 'length("course"."title")'


def as_number(expr: str) -> str:
    return f"({expr})::int"


def as_float(expr: str) -> str:
    return f"({expr})::float8"
