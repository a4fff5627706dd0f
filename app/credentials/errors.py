"""Exceptions of the credentials package, each with a code the API can show."""

from __future__ import annotations


class CredentialError(Exception):
    code = "BAD_USER_INPUT"


class NotACredential(CredentialError):
    """The input is not a credential we understand, or is malformed (exit 2)."""


class FetchRefused(CredentialError):
    """An outbound fetch the safety rules forbid (scheme, address, redirect)."""


class FetchFailed(CredentialError):
    """A fetch that was allowed but did not produce a usable answer."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KeyResolutionError(CredentialError):
    """A verification method that cannot be turned into a public key."""
