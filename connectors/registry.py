"""Connector name -> the module that builds it.

A connector module exposes `build(config: SourceConfig, http: HttpClient)`
returning an object with `name` and `records(state)` (`connectors.base`).
Registering one is one line in `CONNECTORS`; modules are imported only when
used, so a broken or slow-to-import connector costs nothing to the others.

A source's `options` feed both sides: `HttpPolicy` fields (`timeout_s`,
`attempts`, `backoff_base_s`, `backoff_max_s`, `retry_after_max_s`,
`rate_per_s`, `concurrency`) shape its client, the rest are the connector's
(SWAYAM: `page_size`).

Typical use by the sync engine (one client, hence one aiohttp session, per run):

    config = SourceConfig(name="swayam", connector="swayam", base_url=url)
    async with open_client(config) as http:
        async for record in build_connector(config, http).records(SyncState()):
            ...
"""

from __future__ import annotations

import importlib

from connectors.base import Connector, ConnectorError, SourceConfig
from connectors.http import HttpClient, HttpPolicy

CONNECTORS: dict[str, str] = {
    "swayam": "connectors.swayam",
    "edx": "connectors.edx",
    "ctdl": "connectors.ctdl",
    "coursera": "connectors.coursera",
    "nptel": "connectors.nptel",
}


class UnknownConnector(ConnectorError):
    """A source names a connector that is not registered (a configuration error)."""


def names() -> list[str]:
    return sorted(CONNECTORS)


def build_connector(config: SourceConfig, http: HttpClient) -> Connector:
    module_name = CONNECTORS.get(config.connector)
    if module_name is None:
        raise UnknownConnector(
            f"source {config.name!r}: unknown connector {config.connector!r} "
            f"(known: {', '.join(names())})"
        )
    module = importlib.import_module(module_name)
    return module.build(config, http)


def open_client(config: SourceConfig) -> HttpClient:
    """The HTTP client a source's options ask for (use with `async with`)."""
    return HttpClient(HttpPolicy.from_options(config.options))
