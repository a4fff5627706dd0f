"""`credgraph token`: a development bearer token, the bare JWT on stdout."""

from __future__ import annotations

import argparse

from app.auth import Role, TokenError, issue_token
from app.cli import UsageError
from app.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "token",
        help="print a bearer token for the API",
        description="Print an HS256 JWT signed with CREDGRAPH_JWT_SECRET (or the "
        "development secret outside production), for the Authorization header: "
        "'Authorization: Bearer <token>'.",
    )
    parser.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="caller role"
    )
    parser.add_argument(
        "--subject",
        required=True,
        help="APAAR ID for a learner, institution id or slug for an "
        "institution_admin, any name for the other roles",
    )
    parser.add_argument(
        "--ttl", type=int, default=3600, help="seconds until it expires (3600)"
    )
    parser.set_defaults(func=_token)


def _token(args: argparse.Namespace) -> int:
    if args.ttl <= 0:
        raise UsageError("--ttl must be a positive number of seconds")
    try:
        token = issue_token(
            get_settings(), Role(args.role), args.subject, ttl_seconds=args.ttl
        )
    except TokenError as exc:
        raise UsageError(str(exc)) from exc
    print(token)
    return 0
