"""A queued job's source: the engine's reading of CREDGRAPH_CONNECTORS_FILE.

The engine's loader accepts the worker's `every` key, so a job resolves its
source exactly as `credgraph sync <name>` does (secrets from os.environ).
"""

from __future__ import annotations

import os
from pathlib import Path

from app.ingest.sources import find_source as engine_find_source
from connectors.base import SourceConfig


def find_source(name: str, path: Path) -> SourceConfig:
    """The named source of the file, or the connector of that name."""
    return engine_find_source(name, path, os.environ)
