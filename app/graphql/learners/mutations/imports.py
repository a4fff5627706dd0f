"""importCredential / reverifyCredential: badges and verifiable credentials
verified and stored through app/credentials (issue 13).

Input that is not a credential, a URL that is refused or does not answer, and a
credential already held by another learner come back as userErrors (nothing
stored). An *invalid* credential is not an input error: it is verified, not
stored, and its report says why (`stored: false`, verdict INVALID).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime

import strawberry
from strawberry import relay

from app.credentials.errors import CredentialError
from app.credentials.fetch import MAX_BYTES, Fetcher, SafeFetcher
from app.credentials.sources import read_url
from app.credentials.store import import_credential, reverify_credential
from app.db.models.learners import Credential as CredentialModel
from app.db.models.learners import Learner as LearnerModel
from app.graphql.errors import NotFound
from app.graphql.learners.loaders import (
    CredentialById,
    CredentialDocumentById,
    CredentialVerificationById,
    LearnerByApaarId,
)
from app.graphql.learners.mutations.payloads import UserError
from app.graphql.learners.nodes import OBJECT_NOT_FOUND, owned_rows
from app.graphql.learners.permissions import READERS, Info, authorise_one, require_role
from app.graphql.learners.types import Credential
from app.graphql.learners.verification import Verification
from app.settings import Settings


@asynccontextmanager
async def request_fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    """One safe fetcher per mutation, closed after it. The app's settings decide
    whether private addresses may be fetched (CREDGRAPH_ALLOW_PRIVATE_FETCH)."""
    async with SafeFetcher(allow_private=settings.allow_private_fetch) as fetcher:
        yield fetcher


@strawberry.input(description="Exactly one of `document` and `url`.")
class ImportCredentialInput:
    document: str | None = strawberry.field(
        default=None,
        description="The credential itself: JSON (OB 2.0, OB 3.0, VC, CLR) or a "
        "compact JWS / VC-JWT.",
    )
    url: str | None = strawberry.field(
        default=None,
        description="An http(s) URL to fetch it from (public addresses only).",
    )


@strawberry.type
class ImportCredentialPayload:
    credentials: list[Credential] = strawberry.field(
        description="The stored credentials: one, or for a CLR each nested "
        "credential that is not invalid. Importing again updates the same rows."
    )
    verification: Verification | None = strawberry.field(
        description="The report of what was sent (a CLR's with its nested ones)."
    )
    stored: bool
    user_errors: list[UserError]


@strawberry.type
class ReverifyCredentialPayload:
    credential: Credential | None
    verification: Verification | None
    user_errors: list[UserError]


def _input_problem(input: ImportCredentialInput) -> UserError | None:
    given = [n for n in ("document", "url") if getattr(input, n) is not None]
    if len(given) != 1:
        return UserError.bad(None, "give exactly one of document and url")
    if input.document is not None and len(input.document.encode()) > MAX_BYTES:
        return UserError.bad("document", f"a document is at most {MAX_BYTES} bytes")
    return None


def _refused(field: str, exc: CredentialError) -> list[UserError]:
    # CredentialError messages are written for users (no paths, no traces)
    return [UserError(field=field, code=exc.code, message=str(exc))]


def _forget(info: Info, credential_id: int) -> None:
    """Drop rows this request's loaders may hold from before the change."""
    for loader in (CredentialById, CredentialDocumentById, CredentialVerificationById):
        # strawberry's clear() raises KeyError for a key it never loaded
        with suppress(KeyError):
            info.context.loader(loader).clear(credential_id)


async def resolve_import_credential(
    info: Info, apaar_id: str, input: ImportCredentialInput
) -> ImportCredentialPayload:
    require_role(info, *READERS)
    learner = await authorise_one(
        info,
        await info.context.loader(LearnerByApaarId).load(apaar_id),
        what="importCredential",
    )
    if problem := _input_problem(input):
        return ImportCredentialPayload(
            credentials=[], verification=None, stored=False, user_errors=[problem]
        )
    field = "document" if input.document is not None else "url"
    owner = await LearnerModel.get(id=learner["id"])
    # one time for the rows and the report, also when nothing is stored
    now = datetime.now(UTC)
    try:
        async with request_fetcher(info.context.settings) as fetcher:
            data = input.document
            if data is None:
                data = await read_url(input.url or "", fetcher)
            result = await import_credential(owner, data, fetcher=fetcher, now=now)
    except CredentialError as exc:
        return ImportCredentialPayload(
            credentials=[],
            verification=None,
            stored=False,
            user_errors=_refused(field, exc),
        )
    for row in result.credentials:
        _forget(info, row.id)
    rows = await info.context.loader(CredentialById).load_many(
        [c.id for c in result.credentials]
    )
    return ImportCredentialPayload(
        credentials=[Credential.from_row(r) for r in rows if r],
        verification=Verification.of(result.report.to_dict(), now),
        stored=result.stored,
        user_errors=[],
    )


async def resolve_reverify_credential(
    info: Info, id: relay.GlobalID
) -> ReverifyCredentialPayload:
    require_role(info, *READERS)
    # another type's id is treated like any id the caller cannot see
    node_id = id.node_id if id.type_name == "Credential" else "-"
    (row,) = await owned_rows(
        info, CredentialById, [node_id], required=True, what="reverifyCredential"
    )
    assert row is not None  # required=True raised NOT_FOUND otherwise
    credential = await CredentialModel.get_or_none(id=row["id"])
    if credential is None:
        raise NotFound(OBJECT_NOT_FOUND)
    if not credential.document:
        return ReverifyCredentialPayload(
            credential=Credential.from_row(row),
            verification=None,
            user_errors=[
                UserError.bad("id", "entered by hand: there is no document to verify")
            ],
        )
    try:
        async with request_fetcher(info.context.settings) as fetcher:
            report = await reverify_credential(credential, fetcher=fetcher)
    except CredentialError as exc:
        return ReverifyCredentialPayload(
            credential=Credential.from_row(row),
            verification=None,
            user_errors=_refused("id", exc),
        )
    _forget(info, credential.id)
    fresh = await info.context.loader(CredentialById).load(credential.id)
    return ReverifyCredentialPayload(
        credential=Credential.from_row(fresh),
        verification=Verification.of(report.to_dict(), credential.verified_at),
        user_errors=[],
    )
