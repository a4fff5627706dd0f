"""What a user typed, reduced to the words both backends match the same way."""

from __future__ import annotations

import re

# Letters and digits only: the FTS5 unicode61 tokenizer and PostgreSQL's
# `simple` parser both split on everything else (underscore included), and a
# term made of these characters can be written into either query language
# without escaping.
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 16


def search_terms(text: str) -> list[str]:
    """Lower-cased words of `text`, at most MAX_TERMS, duplicates dropped."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]
