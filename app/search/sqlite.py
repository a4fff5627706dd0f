"""SQLite: an FTS5 table over course(title, description, subjects), kept in
step with `course` by triggers, so whatever writes courses (the demo, tests,
a script) needs to do nothing for search to see its rows.

One exception, for speed: rows inserted by the sync engine (the only writer
that sets `content_hash`) are indexed by the engine itself, one statement a
page (`INDEX_ROWS`), in the page's transaction. A per-row trigger makes FTS5
flush its pending terms to disk at every statement (it flushes on each
savepoint a statement opens): measured, that halved the write speed of a
first sync; one INSERT … SELECT a page costs about 2%.
"""

from __future__ import annotations

TABLE = "course_search"


def _insert_trigger(condition: str = "") -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ai AFTER INSERT ON course "
        f"{condition}BEGIN INSERT INTO {TABLE}(rowid, title, description, subjects) "
        "VALUES (new.id, new.title, new.description, new.subjects); END"
    )


# remove_diacritics 0 and no stemmer: PostgreSQL's `simple` configuration does
# neither, and both backends must match the same rows.
INSTALL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "title, description, subjects, content='course', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    _insert_trigger("WHEN new.content_hash IS NULL "),
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ad AFTER DELETE ON course BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, title, description, subjects) "
    "VALUES ('delete', old.id, old.title, old.description, old.subjects); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_au AFTER UPDATE OF title, description, "
    f"subjects ON course BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, title, description, subjects) "
    "VALUES ('delete', old.id, old.title, old.description, old.subjects); "
    f"INSERT INTO {TABLE}(rowid, title, description, subjects) "
    "VALUES (new.id, new.title, new.description, new.subjects); END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
)
UNINSTALL = (
    f"DROP TRIGGER IF EXISTS {TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {TABLE}_au",
    f"DROP TABLE IF EXISTS {TABLE}",
)
REFRESH = (f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",)
# Migration 0005 installs INSTALL's insert trigger over 0003's, which fired
# for every row; going back reinstalls that one.
REINSTALL = (f"DROP TRIGGER IF EXISTS {TABLE}_ai", *INSTALL)
PER_ROW = (f"DROP TRIGGER IF EXISTS {TABLE}_ai", _insert_trigger())


def index_rows(count: int) -> str:
    """Index `count` course ids (bound parameters) that the sync engine has
    just inserted."""
    marks = ", ".join("?" for _ in range(count))
    return (
        f"INSERT INTO {TABLE}(rowid, title, description, subjects) "
        f'SELECT "id", "title", "description", "subjects" FROM "course" '
        f'WHERE "id" IN ({marks})'
    )


def match(terms: list[str]) -> str:
    """A boolean SQL expression: the course row matches every term."""
    # every term a prefix, all required; terms are letters and digits only
    # (terms.py), so quoting them is all the escaping FTS5 needs
    query = " ".join(f'"{t}"*' for t in terms)
    return (
        f'"course"."id" IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH \'{query}\')'
    )


def column(name: str) -> str:
    return f'"course"."{name}"'


def contains(text: str, term: str) -> str:
    # terms are letters and digits only (terms.py): safe inside the literal
    return f"instr({text}, '{term}') > 0"


def title_length() -> str:
    return 'length("course"."title")'


def as_number(expr: str) -> str:
    return f"({expr})"  # a boolean is already 0 or 1


def as_float(expr: str) -> str:
    return f"({expr})"
