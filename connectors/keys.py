"""Natural keys as stored: a key longer than the column is shortened stably.

Here, not in `app/`, because a connector that skips unchanged records
(`connectors.base.Known`) compares keys as the database holds them.

SWAYAM names a course by coordinator + title + institute, which can exceed
the 255 characters of `external_id`; cutting it would merge two courses, so
a long key keeps a prefix and gains a digest of the whole. The same function
maps an offering's `course_external_id`, so both sides agree.
"""

from __future__ import annotations

import hashlib

MAX_KEY = 255
_DIGEST = 16  # hex characters of the whole key's digest


def storage_key(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.blake2b(key.encode(), digest_size=_DIGEST // 2).hexdigest()
    return f"{key[: MAX_KEY - _DIGEST - 1]}#{digest}"


def clip(value: str | None, length: int) -> str | None:
    """A text value cut to its column (PostgreSQL refuses longer varchars)."""
    if value is None or len(value) <= length:
        return value
    return value[:length]
