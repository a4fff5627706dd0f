"""PostgreSQL: a stored generated tsvector column over title, description and
subjects, with a GIN index. A generated column is always in step with its row,
so nothing has to refresh it after a sync; the column is not in the Course
model (Tortoise never writes it; PostgreSQL computes it on every write).

Stored, not an expression index: when a prepared statement goes generic (after
five runs) PostgreSQL may filter matched rows by the other conditions first
and test the document of each; rebuilding each document's vector made that
plan 100 ms on 50,000 courses, reading a stored one costs a few.
"""

from __future__ import annotations

COLUMN = "search_document"
INDEX = "course_search_document_idx"
OLD_INDEX = "course_search_idx"  # the expression index of migration 0003

_DOCUMENT = (
    "coalesce(\"title\", '') || ' ' || coalesce(\"description\", '') || ' ' || "
    "coalesce(\"subjects\"::text, '')"
)

# `simple`: no stemming and no stop words, like the FTS5 side.
INSTALL = (
    f"ALTER TABLE course ADD COLUMN IF NOT EXISTS {COLUMN} tsvector GENERATED "
    f"ALWAYS AS (to_tsvector('simple'::regconfig, {_DOCUMENT})) STORED",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON course USING gin ({COLUMN})",
    f"DROP INDEX IF EXISTS {OLD_INDEX}",
)
UNINSTALL = (
    f"DROP INDEX IF EXISTS {INDEX}",
    f"ALTER TABLE course DROP COLUMN IF EXISTS {COLUMN}",
)
REFRESH: tuple[str, ...] = ()
REINSTALL = INSTALL
PER_ROW: tuple[str, ...] = ()  # nothing to undo (migration 0005)


def index_rows(count: int) -> None:
    """Nothing to do: the generated column is computed with the row."""
    return None


def _query(terms: list[str]) -> str:
    # terms are letters and digits only (terms.py): safe inside the literal
    return "to_tsquery('simple'::regconfig, '{}')".format(
        " & ".join(f"{t}:*" for t in terms)
    )


def match(terms: list[str]) -> str:
    """A boolean SQL expression: the course row matches every term."""
    return f'("course"."{COLUMN}" @@ {_query(terms)})'


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
