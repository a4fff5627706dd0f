"""A policy named in a query, or BAD_USER_INPUT."""

from __future__ import annotations

from typing import Any

from app.credits import CreditsError, Policy, derive_policy, get_policy
from app.graphql.errors import BadUserInput

DEFAULT_POLICY = "ugc-2023"


def policy_named(name: str, overrides: dict[str, Any] | None = None) -> Policy:
    try:
        base = get_policy(name)
        return derive_policy(base, overrides) if overrides else base
    except CreditsError as exc:
        raise BadUserInput(str(exc), field="policy") from exc
