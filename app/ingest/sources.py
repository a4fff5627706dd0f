"""The sources file (`CREDGRAPH_CONNECTORS_FILE`, TOML): what `sync --all` runs.

    [sources.swayam]
    connector = "swayam"                 # registry key (connectors/registry.py)
    url = "https://swayam.gov.in"        # optional: the connector's default
    [sources.swayam.options]             # connector and HTTP options
    page_size = 500
    rate_per_s = 5
    [sources.swayam.secrets]             # option name -> NAME of an env var
    api_key = "CREDGRAPH_SWAYAM_API_KEY"

Secrets are never written in the file: a secret's value is the name of the
environment variable that holds it, resolved when the source is loaded, so
the file can be committed and shared.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from connectors import registry
from connectors.base import SourceConfig

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_KNOWN_KEYS = {"connector", "url", "options", "secrets"}


class SourcesError(Exception):
    """The sources file or a source in it is wrong (a configuration error)."""


def load_sources(path: Path, environ: Mapping[str, str]) -> list[SourceConfig]:
    """Every source of the file, secrets resolved from `environ`."""
    if not path.is_file():
        raise SourcesError(
            f"no sources file at {path} (set CREDGRAPH_CONNECTORS_FILE; "
            "connectors.toml.example shows the format)"
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    sources = doc.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise SourcesError(f"{path}: no [sources.<name>] tables")
    return [
        _source(f"{path}: source {name!r}", name, table, environ)
        for name, table in sources.items()
    ]


def find_source(
    name: str, path: Path, environ: Mapping[str, str], base_url: str | None = None
) -> SourceConfig:
    """A source by name: from the file when it has one, else the connector of
    that name with its defaults. `base_url` overrides the file's url."""
    config = None
    if path.is_file():
        config = next((s for s in load_sources(path, environ) if s.name == name), None)
    if config is None:
        if name not in registry.names():
            raise SourcesError(
                f"unknown source {name!r}: not in {path} and not a connector "
                f"(known connectors: {', '.join(registry.names())})"
            )
        config = SourceConfig(name=name, connector=name)
    if base_url:
        config = SourceConfig(
            config.name, config.connector, base_url, config.options, config.secrets
        )
    return config


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
    url = table.get("url")
    if url is not None and not (
        isinstance(url, str) and url.startswith(("http://", "https://"))
    ):
        raise SourcesError(f"{where}: url must be an http(s) URL")
    options = table.get("options", {})
    if not isinstance(options, dict):
        raise SourcesError(f"{where}: options must be a table")
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
