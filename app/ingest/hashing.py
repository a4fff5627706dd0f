"""Content hashes: an unchanged record must cost no row write.

The hash covers the normalised fields a row stores, not the raw payload, its
fingerprint, nor the page URL it came from: a provider that reorders its
pages, or changes a field we do not keep (an enrolment counter), must not
rewrite every row.

Digests carry their scheme as a prefix (`2:`). Rows stored before the scheme
changed hold the previous one (bare hex of the values' `repr`): `matches`
still recognises those, and the caller restamps the row with the current
digest, touching `content_hash` only, so an upgrade neither counts nor dates
an unchanged row as changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from operator import attrgetter
from typing import Any

import orjson

from connectors.records import (
    CourseRecord,
    OfferingRecord,
    PathwayRecord,
    ProgrammeRecord,
    ProviderRecord,
)

_SKIPPED = frozenset({"raw", "source_url", "fingerprint"})
SCHEME = "2:"


def _getter(kind: type) -> Any:
    names = [f.name for f in fields(kind) if f.name not in _SKIPPED]
    return attrgetter(*names)


# Built once: attrgetter over the slots is the cheapest way to a value tuple.
_GETTERS = {
    kind: _getter(kind)
    for kind in (
        ProviderRecord,
        CourseRecord,
        OfferingRecord,
        PathwayRecord,
        ProgrammeRecord,
    )
}
# Dict keys in requirement trees may be numbers; anything else orjson does not
# know (none today) is hashed by its repr rather than failing the page.
_OPTIONS = orjson.OPT_NON_STR_KEYS


def content_hash(record: Any) -> str:
    """A short stable digest of a record's stored content.

    The value tuple as JSON: deterministic for the types records hold (str,
    numbers, None, dates, tuples, dicts built the same way), and orjson makes
    it about 2.5x cheaper than the `repr` the previous scheme hashed (2 µs
    against 4.6 µs for a SWAYAM course), which is most of an unchanged
    record's cost."""
    values = _GETTERS[type(record)](record)
    data = orjson.dumps(values, default=repr, option=_OPTIONS)
    return SCHEME + hashlib.blake2b(data, digest_size=16).hexdigest()


def legacy_content_hash(record: Any) -> str:
    """The digest of the previous scheme (no prefix), for `matches` only."""
    values = _GETTERS[type(record)](record)
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def matches(stored: str | None, record: Any, digest: str) -> bool:
    """Whether a row stored with hash `stored` holds this record's content.

    True for the current digest, and for the previous scheme's digest of the
    same content; then `stored != digest` and the caller restamps the row."""
    if stored == digest:
        return True
    if stored is None or stored.startswith(SCHEME):
        return False
    return stored == legacy_content_hash(record)
