"""The sources file (`CREDGRAPH_CONNECTORS_FILE`, TOML): what `sync --all` runs.

    [sources.swayam]
    connector = "swayam"                 # registry key (connectors/registry.py)
    url = "https://swayam.gov.in"        # optional: the connector's default
    [sources.swayam.options]             # connector and HTTP options
    page_size = 500
    rate_per_s = 5
    [sources.swayam.secrets]             # option name -> NAME of an env var
    api_key = "CREDGRAPH_SWAYAM_API_KEY"

`every = "6h"` on a source is the worker's schedule (app/jobs/schedule.py);
it is validated here too, so one file serves `sync --all` and the worker.

Secrets are never written in the file: a secret's value is the name of the
environment variable that holds it, resolved when the source is loaded, so
the file can be committed and shared.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from connectors import registry
from connectors.base import SourceConfig

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_KNOWN_KEYS = {"connector", "url", "options", "secrets", "every"}
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SourcesError(Exception):
    """The sources file or a source in it is wrong (a configuration error)."""


def load_sources(path: Path, environ: Mapping[str, str]) -> list[SourceConfig]:
    """Every source of the file, secrets resolved from `environ`."""
    if not path.is_file():
        raise SourcesError(
            f"no sources file at {path} (set CREDGRAPH_CONNECTORS_FILE; "
            "connectors.toml.example shows the format)"
        )
    sources = read_tables(path)
    if not sources:
        raise SourcesError(f"{path}: no [sources.<name>] tables")
    return [
        _source(f"{path}: source {name!r}", name, table, environ)
        for name, table in sources.items()
    ]


def read_tables(path: Path) -> dict[str, Any]:
    """The raw `[sources.<name>]` tables of the file ({} without a file), for
    readers of keys a SourceConfig does not carry (the worker's `every`)."""
    if not path.is_file():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    sources = doc.get("sources", {})
    if not isinstance(sources, dict):
        raise SourcesError(f"{path}: no [sources.<name>] tables")
    return sources


def find_source(
    name: str, path: Path, environ: Mapping[str, str], base_url: str | None = None
) -> SourceConfig:
    """A source by name: from the file when it has one, else the connector of
    that name with its defaults. `base_url` overrides the file's url.

    Only the named source is validated (and its secrets resolved), so one
    source's unset variable does not stop another from running."""
    table = read_tables(path).get(name)
    if table is not None:
        config = _source(f"{path}: source {name!r}", name, table, environ)
    elif name in registry.names():
        config = SourceConfig(name=name, connector=name)
    else:
        raise SourcesError(
            f"unknown source {name!r}: not in {path} and not a connector "
            f"(known connectors: {', '.join(registry.names())})"
        )
    if base_url:
        config = SourceConfig(
            config.name, config.connector, base_url, config.options, config.secrets
        )
    return config


def parse_every(value: object, where: str) -> timedelta:
    """A schedule interval such as "30m", "6h" or "1d" (at least a minute)."""
    match = _EVERY.match(value) if isinstance(value, str) else None
    if match is None:
        raise SourcesError(f"{where}: every must look like 30m, 6h or 1d")
    seconds = float(match[1]) * _UNITS[match[2]]
    if seconds < 60:
        raise SourcesError(f"{where}: every must be at least a minute")
    return timedelta(seconds=seconds)


def _source(
    where: str, name: Any, table: Any, environ: Mapping[str, str]
) -> SourceConfig:
    if not isinstance(name, str) or not _SOURCE_NAME.match(name):
        raise SourcesError(f"{where}: a source name is lowercase letters, digits, -_.")
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table")
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown keys {sorted(unknown)}")
    connector = table.get("connector", name)
    if connector not in registry.names():
        raise SourcesError(
            f"{where}: unknown connector {connector!r} "
            f"(known: {', '.join(registry.names())})"
        )
    if "every" in table:
        parse_every(table["every"], where)  # a bad interval fails here too
    url = table.get("url")
    if url is not None and not (
        isinstance(url, str) and url.startswith(("http://", "https://"))
    ):
        raise SourcesError(f"{where}: url must be an http(s) URL")
    options = table.get("options", {})
    if not isinstance(options, dict):
        raise SourcesError(f"{where}: options must be a table")
    if "full_every" in options:  # the engine's change-feed horizon (runner.py)
        parse_every(options["full_every"], f"{where}: options.full_every")
    return SourceConfig(
        name=name,
        connector=connector,
        base_url=url,
        options=options,
        secrets=_secrets(where, table.get("secrets", {}), environ),
    )


def _secrets(where: str, names: Any, environ: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(names, dict):
        raise SourcesError(f"{where}: secrets must be a table")
    resolved = {}
    for key, variable in names.items():
        if not isinstance(variable, str) or not _ENV_NAME.match(variable):
            raise SourcesError(
                f"{where}: secrets.{key} must name an environment variable "
                "(e.g. CREDGRAPH_EDX_CLIENT_SECRET), never hold the secret itself"
            )
        value = environ.get(variable)
        if not value:
            raise SourcesError(
                f"{where}: secrets.{key}: environment variable {variable} is not set"
            )
        resolved[key] = value
    return resolved
