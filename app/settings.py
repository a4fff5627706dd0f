"""Configuration: the environment, read once into one Settings object.

DESIGN.md "Configuration" lists every variable; this is the only module that
reads os.environ for the service, so a newcomer finds every knob here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

DEFAULT_DATABASE_URL = "sqlite://./data/credgraph.db"
# A fixed development secret so `credgraph demo` tokens keep working across
# restarts; production must set CREDGRAPH_JWT_SECRET or a public key.
DEV_JWT_SECRET = "credgraph-development-secret-do-not-use-in-production"

MODEL_MODULES = [
    "app.db.models.catalogue",
    "app.db.models.pathways",
    "app.db.models.learners",
    "app.db.models.sync",
]


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@dataclass(frozen=True)
class Limits:
    """Request limits of the GraphQL endpoint (refusals carry QUERY_TOO_COMPLEX)."""

    max_first: int = 100
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_cost: int = 50_000
    max_body_bytes: int = 1_000_000


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: str = "development"
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwt_audience: str | None = None
    connectors_file: Path = Path("connectors.toml")
    cors_origins: tuple[str, ...] = ()
    port: int = 8000
    signing_key: Path = Path("data/signing-key.pem")
    issuer_did: str | None = None
    allow_private_fetch: bool = False
    limits: Limits = field(default_factory=Limits)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            env=env.get("CREDGRAPH_ENV", "development"),
            jwt_secret=env.get("CREDGRAPH_JWT_SECRET"),
            jwt_public_key=env.get("CREDGRAPH_JWT_PUBLIC_KEY"),
            jwt_audience=env.get("CREDGRAPH_JWT_AUDIENCE"),
            connectors_file=Path(
                env.get("CREDGRAPH_CONNECTORS_FILE", "connectors.toml")
            ),
            cors_origins=_csv(env.get("CREDGRAPH_CORS_ORIGINS")),
            port=int(env.get("PORT") or 8000),
            signing_key=Path(env.get("CREDGRAPH_SIGNING_KEY", "data/signing-key.pem")),
            issuer_did=env.get("CREDGRAPH_ISSUER_DID"),
            allow_private_fetch=env.get("CREDGRAPH_ALLOW_PRIVATE_FETCH") == "1",
        )


# Pragmas for every SQLite connection, beside Tortoise's own (WAL, foreign
# keys); a value in the URL's query wins.
SQLITE_PRAGMAS = {
    # Statement journals in memory: an upsert into a table with many indexes
    # and triggers journals each row, and on disk that was 80% of a first
    # sync's write calls (3.1M pwrite for 50k courses; 0.56M in memory).
    "temp_store": "MEMORY",
    # 8 MiB of page cache instead of 2: a sync page's writes no longer spill
    # to the WAL before commit, nor re-read what they spilled (16 MiB was no
    # faster, and the syncing process must stay under 100 MB).
    "cache_size": "-8192",
    # WAL's usual pairing: a commit no longer waits for fsync (the WAL is
    # synced at checkpoints), and a checkpoint every ~40 MB of WAL rather
    # than 4 MB copies a page rewritten by many sync pages back once.
    # Consistent after any crash; a power cut may lose the last commits.
    # SQLite is the embedded default (demo, development, small sites);
    # production runs PostgreSQL. Together +17% on a first sync (5.2k ->
    # 6.1k courses/s, bench/ingest.py child, 50k courses).
    "synchronous": "NORMAL",
    "wal_autocheckpoint": "10000",
}


def with_sqlite_pragmas(database_url: str) -> str:
    if not database_url.startswith("sqlite://"):
        return database_url
    base, _, query = database_url.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    for name, value in SQLITE_PRAGMAS.items():
        params.setdefault(name, value)
    return f"{base}?{urlencode(params)}"


def tortoise_config(database_url: str) -> dict:
    """The Tortoise config for a database URL (one app, migrations committed)."""
    if database_url.startswith("sqlite://") and not database_url.startswith(
        "sqlite://:memory:"
    ):
        path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": with_sqlite_pragmas(database_url)},
        "apps": {
            "credgraph": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "app.db.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def get_settings() -> Settings:
    return Settings.from_env()


# For the `tortoise` CLI ([tool.tortoise] in pyproject.toml).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
