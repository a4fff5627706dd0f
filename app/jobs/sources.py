"""A source's configuration, with the worker's own key (`every`) set aside.

The sync engine's loader (app/ingest/sources.py) refuses keys it does not
know, `every` among them, so the worker reads the file itself, drops
`every`, and hands each table to the engine's validation.
TODO(ingest): accept `every` in app/ingest/sources.py and use find_source.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from app.ingest import sources as engine_sources
from app.ingest.sources import SourcesError
from connectors import registry
from connectors.base import SourceConfig

WORKER_KEYS = ("every",)


def find_source(name: str, path: Path) -> SourceConfig:
    """The named source of the file, or the connector of that name."""
    if path.is_file():
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
        table = (doc.get("sources") or {}).get(name)
        if isinstance(table, dict):
            table = {k: v for k, v in table.items() if k not in WORKER_KEYS}
            return engine_sources._source(  # noqa: SLF001 (see module doc)
                f"{path}: source {name!r}", name, table, os.environ
            )
    if name not in registry.names():
        raise SourcesError(
            f"unknown source {name!r}: not in {path} and not a connector "
            f"(known connectors: {', '.join(registry.names())})"
        )
    return SourceConfig(name=name, connector=name)
