"""The caller named by a request's Authorization header."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.caller import Caller
from app.auth.tokens import TokenError, verify_token
from app.settings import Settings


@dataclass(frozen=True)
class Authentication:
    """The caller, or why there is none. A bad token is only an error where
    a token is needed: the public catalogue still answers."""

    caller: Caller | None = None
    error: str | None = None


def authenticate(header: str | None, settings: Settings) -> Authentication:
    if not header:
        return Authentication()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Authentication(error="the Authorization header is not 'Bearer <JWT>'")
    try:
        return Authentication(caller=verify_token(token.strip(), settings))
    except TokenError as exc:
        return Authentication(error=str(exc))
