"""Decoding a JSON page body, so a broken 200 is retried like a 5xx.

Providers behind proxies answer some failures with status 200 and an HTML
error page, or cut a body short; `HttpClient.get(decode=...)` retries when the
decoder raises `BadPayload`, so every JSON connector decodes through here.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.http import BadPayload


def decode_json(body: bytes) -> Any:
    """The parsed body, or `BadPayload` for an HTML page or invalid JSON."""
    text = body.lstrip()
    if text[:1] == b"<":
        raise BadPayload("HTML page instead of JSON")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadPayload(f"invalid JSON ({exc.__class__.__name__}: {exc})") from exc


def decode_object(body: bytes) -> dict[str, Any]:
    """`decode_json`, and the top level must be an object."""
    doc = decode_json(body)
    if not isinstance(doc, dict):
        raise BadPayload(f"expected a JSON object, got {type(doc).__name__}")
    return doc
