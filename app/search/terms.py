"""What a user typed, reduced to the words both backends match the same way."""

from __future__ import annotations

import unicodedata

MAX_TERMS = 16


def _word_char(ch: str) -> bool:
    # Letters, digits and combining marks: the FTS5 unicode61 tokenizer and
    # PostgreSQL's `simple` parser both split on everything else (underscore
    # included). Marks matter: a Devanagari vowel sign is a mark, and without
    # it "हिन्दी" would fall apart into single consonants. A term made of these
    # characters goes into either query language without escaping.
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def search_terms(text: str) -> list[str]:
    """Lower-cased words of `text`, at most MAX_TERMS, duplicates dropped."""
    seen: dict[str, None] = {}
    word: list[str] = []
    for ch in text.lower() + " ":
        if _word_char(ch):
            word.append(ch)
        elif word:
            seen.setdefault("".join(word), None)
            word = []
    return list(seen)[:MAX_TERMS]
