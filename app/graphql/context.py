"""The per-request context: the request, its caller, and its DataLoaders.

Loaders live here, one set per request: a module-level loader would cache
across requests and bind to the wrong event loop (TECH-NOTES §1.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader

from app.auth import Caller
from app.settings import Settings

L = TypeVar("L", bound=DataLoader)


@dataclass
class Context:
    request: Request | None
    response: Response | None
    settings: Settings
    user: Caller | None = None  # the authenticated caller, when there is one
    # Why a token that was sent did not authenticate (refused only where a
    # token is needed: the public catalogue still answers).
    auth_error: str | None = None
    _loaders: dict[type, DataLoader] = field(default_factory=dict)

    def loader(self, cls: type[L]) -> L:
        """The request's one instance of a loader class."""
        instance = self._loaders.get(cls)
        if instance is None:
            instance = self._loaders[cls] = cls()
        return instance  # type: ignore[return-value]
