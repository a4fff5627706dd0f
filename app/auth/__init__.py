"""Who is calling: bearer JWTs, roles and the caller they name."""

from app.auth.caller import Caller, Role
from app.auth.tokens import TokenError, issue_token, verify_token

__all__ = ["Caller", "Role", "TokenError", "issue_token", "verify_token"]
