"""JSON-LD canonicalisation over pinned contexts only.

A context named by a credential is never fetched: fetching at verify time would let
the document choose what its own signature means, and the service has no business
reaching arbitrary hosts. Every context we accept ships in `contexts/` (see
SOURCES.md there); any other URL fails the proof check, naming the URL.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

_DIR = Path(__file__).parent / "contexts"


class UnknownContext(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(f"context not pinned: {url}")
        self.url = url


@cache
def pinned_contexts() -> dict[str, dict]:
    manifest = json.loads((_DIR / "manifest.json").read_text())
    return {
        url: json.loads((_DIR / name).read_text()) for url, name in manifest.items()
    }


def _loader(url: str, options: dict | None = None) -> dict:
    document = pinned_contexts().get(url)
    if document is None:
        raise UnknownContext(url)
    # "static" lets pyld cache the processed context by URL across calls (the
    # files never change at run time): that was two thirds of the verify time.
    # pyld's cache is process-wide, so no other pyld loader may run in this process
    # (none does: this module is the only user of pyld).
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
        "tag": "static",
    }


def context_urls(node: Any) -> list[str]:
    """Every context URL a document names, at any depth."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                values = value if isinstance(value, list) else [value]
                found += [v for v in values if isinstance(v, str)]
                found += [
                    u for v in values if isinstance(v, dict) for u in context_urls(v)
                ]
            else:
                found += context_urls(value)
    elif isinstance(node, list):
        for item in node:
            found += context_urls(item)
    return found


def unknown_contexts(document: dict) -> list[str]:
    known = pinned_contexts()
    return sorted({url for url in context_urls(document) if url not in known})


def canonize(document: dict) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of a document; raises UnknownContext."""
    missing = unknown_contexts(document)
    if missing:
        raise UnknownContext(missing[0])
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": _loader,
            # a typo'd term must not silently drop out of what is signed
            "safe": True,
        },
    )
