"""Full-text search over courses, one interface on SQLite (FTS5) and
PostgreSQL (tsvector): `text_search(queryset, text)` filters a Course
queryset to the matches and annotates each with a `relevance` score."""

from app.search.courses import (
    RELEVANCE,
    install_search_index,
    refresh_search_index,
    text_search,
)
from app.search.terms import search_terms

__all__ = [
    "RELEVANCE",
    "install_search_index",
    "refresh_search_index",
    "search_terms",
    "text_search",
]
