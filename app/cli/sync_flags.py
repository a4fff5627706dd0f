"""`credgraph sync` flags for connectors that need more than a base URL, so
one source runs without a connectors file:

    credgraph sync nptel --file PATH|URL
    credgraph sync edx --base-url URL --token-url URL --client-id ID
    credgraph sync ctdl --base-url URL [--community NAME]  |  --path FILE|DIR

Secrets never come from flags (they would sit in shell history and `ps`):
edX's client secret comes from CREDGRAPH_EDX_CLIENT_SECRET and CTDL's API key
from CREDGRAPH_CTDL_API_KEY, unless the connectors file names a variable.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from app.cli import UsageError
from connectors.base import SourceConfig

# flag dest -> (connector it belongs to, option it sets)
FLAGS: dict[str, tuple[str, str]] = {
    "file": ("nptel", "file"),
    "token_url": ("edx", "token_url"),
    "client_id": ("edx", "client_id"),
    "path": ("ctdl", "path"),
    "community": ("ctdl", "community"),
}
# connector -> (secret option, the environment variable it defaults to)
DEFAULT_SECRETS: dict[str, tuple[str, str]] = {
    "edx": ("client_secret", "CREDGRAPH_EDX_CLIENT_SECRET"),
    "ctdl": ("api_key", "CREDGRAPH_CTDL_API_KEY"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connector options (one source, no file needed)")
    group.add_argument(
        "--file", metavar="PATH|URL", help="nptel: the semester course list (CSV, XLSX)"
    )
    group.add_argument(
        "--token-url",
        help="edx: OAuth2 token endpoint (secret: CREDGRAPH_EDX_CLIENT_SECRET)",
    )
    group.add_argument("--client-id", help="edx: OAuth2 client id")
    group.add_argument(
        "--path",
        metavar="FILE|DIR",
        help="ctdl: CTDL documents on disk, not the Registry",
    )
    group.add_argument(
        "--community",
        metavar="NAME",
        help="ctdl: Registry community (API key: CREDGRAPH_CTDL_API_KEY)",
    )


def given(args: argparse.Namespace) -> list[str]:
    """The connector flags on the command line, as typed."""
    return [f"--{d.replace('_', '-')}" for d in FLAGS if getattr(args, d, None)]


def apply(
    config: SourceConfig, args: argparse.Namespace, environ: Mapping[str, str]
) -> SourceConfig:
    """`config` with the flags' options and the connector's default secret."""
    options = dict(config.options)
    for dest, (connector, option) in FLAGS.items():
        value = getattr(args, dest, None)
        if not value:
            continue
        flag = f"--{dest.replace('_', '-')}"
        if connector != config.connector:
            raise UsageError(
                f"{flag} is for the {connector} connector, not {config.connector}"
            )
        options[option] = _local(flag, value) if dest in ("file", "path") else value
    if getattr(args, "path", None) and args.base_url:
        raise UsageError("--path reads files: not with --base-url")
    secrets = dict(config.secrets)
    default = DEFAULT_SECRETS.get(config.connector)
    if default and default[0] not in secrets and environ.get(default[1]):
        secrets[default[0]] = environ[default[1]]
    if config.connector == "edx" and options.get("token_url"):
        if not secrets.get("client_secret"):
            # A configuration error (exit 2) before any request, not a failed run.
            raise UsageError(
                "edx with a token URL needs its client secret: set "
                "CREDGRAPH_EDX_CLIENT_SECRET (or name a variable in the "
                "connectors file's [sources.edx.secrets])"
            )
        if not options.get("client_id"):
            raise UsageError("edx with a token URL needs --client-id")
    return replace(config, options=options, secrets=secrets)


def _local(flag: str, value: str) -> str:
    """A URL as given; a local path made absolute (the connector may run in a
    worker elsewhere) and checked now, so a typo is exit 2, not a failed run."""
    if value.startswith(("http://", "https://")):
        if flag == "--path":
            raise UsageError("--path is a file or directory on disk, not a URL")
        return value
    path = Path(value).expanduser()
    if not path.exists():
        raise UsageError(f"{flag} {value}: no such file or directory")
    return str(path.resolve())
