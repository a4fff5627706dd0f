"""Errors of the credit engine: types with codes, each naming the path of the bad value.

A caller (the CLI, the GraphQL layer) maps `code` to its own vocabulary; tests compare
codes and paths, never message strings.
"""

from __future__ import annotations


class CreditsError(Exception):
    """Base of every engine error: `path` names the offending field
    (`credits[3].earned_on`).
    """

    code = "CREDITS_ERROR"

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class InputError(CreditsError):
    """A learner record or catalogue that is malformed (exit 2 in the CLI)."""

    code = "BAD_INPUT"


class TreeError(InputError):
    """A requirement tree that does not validate."""

    code = "BAD_TREE"


class PolicyError(InputError):
    """An unknown policy, or an override of an unknown rule or value."""

    code = "BAD_POLICY"


class LedgerError(CreditsError):
    """A refused ledger operation (double deposit, second redemption)."""

    code = "LEDGER_REFUSED"
