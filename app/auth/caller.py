"""The authenticated caller: a role and the subject the token names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LEARNER = "learner"  # subject = the learner's APAAR ID
    INSTITUTION_ADMIN = "institution_admin"  # subject = institution id or slug
    PLATFORM_ADMIN = "platform_admin"
    CONNECTOR = "connector"  # may only start syncs and read their status


@dataclass(frozen=True)
class Caller:
    role: Role
    subject: str

    @property
    def label(self) -> str:
        """How the caller is named in the access log."""
        return f"{self.role.value}:{self.subject}"
