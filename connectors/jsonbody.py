"""JSON in and out of connectors: page bodies and raw payloads.

Providers behind proxies answer some failures with status 200 and an HTML
error page, or cut a body short; `HttpClient.get(decode=...)` retries when the
decoder raises `BadPayload`, so every JSON connector decodes through here.

orjson, not the json module: parsing pages and serialising each record's raw
payload took about a third of a sync's CPU with the standard library.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from connectors.http import BadPayload

# Dates and dataclasses through `str`, as json.dumps(default=str) did, so a
# raw payload reads the same whichever wrote it.
_RAW_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def dump_raw(value: Any) -> str:
    """A record's raw payload as compact JSON text (non-ASCII kept)."""
    try:
        return orjson.dumps(value, default=str, option=_RAW_OPTIONS).decode()
    except TypeError:  # what orjson refuses, e.g. an integer beyond 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def decode_json(body: bytes) -> Any:
    """The parsed body, or `BadPayload` for an HTML page or invalid JSON."""
    text = body.lstrip()
    if text[:1] == b"<":
        raise BadPayload("HTML page instead of JSON")
    try:
        return orjson.loads(text)
    except ValueError as exc:
        raise BadPayload(f"invalid JSON ({exc.__class__.__name__}: {exc})") from exc


def decode_object(body: bytes) -> dict[str, Any]:
    """`decode_json`, and the top level must be an object."""
    doc = decode_json(body)
    if not isinstance(doc, dict):
        raise BadPayload(f"expected a JSON object, got {type(doc).__name__}")
    return doc
