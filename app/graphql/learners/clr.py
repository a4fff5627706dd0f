"""Learner.clr: the learner's record as a CLR 2.0 ClrCredential signed by the
platform (eddsa-rdfc-2022), the same document `credgraph export-clr` writes."""

from __future__ import annotations

import logging
from typing import Any

from app.credentials.errors import CredentialError
from app.credentials.signing import Signer, load_signer
from app.credentials.store import export_clr_for
from app.db.models.learners import Learner as LearnerModel
from app.graphql.errors import ApiError, Code, NotFound
from app.graphql.learners.permissions import LEARNER_NOT_FOUND, Info
from app.settings import Settings

log = logging.getLogger("credgraph.graphql")


class SigningUnavailable(ApiError):
    """The platform cannot sign: no key, or an unusable one. The server's
    configuration is at fault, not the client's input, hence
    INTERNAL_SERVER_ERROR; raised as an ApiError so the message (which names
    the fix) reaches the client instead of being masked."""

    code = Code.INTERNAL_SERVER_ERROR


def signer_of(settings: Settings) -> Signer:
    """The signer of the app's settings (not the process environment, so an app
    built with its own Settings signs with its own key)."""
    if not settings.signing_key.is_file():
        raise SigningUnavailable(
            "the platform has no signing key yet: an operator must run "
            "`credgraph keygen` (CREDGRAPH_SIGNING_KEY)"
        )
    try:
        return load_signer(settings.signing_key, settings.issuer_did)
    except CredentialError as exc:
        # the detail names a server path: log it, do not send it
        log.error("cannot load the signing key: %s", exc)
        raise SigningUnavailable(
            "the platform's signing key cannot be used: see the server log, or "
            "make a new one with `credgraph keygen`"
        ) from None


async def resolve_clr(learner_id: int, info: Info) -> dict[str, Any]:
    signer = signer_of(info.context.settings)
    learner = await LearnerModel.get_or_none(id=learner_id)
    if learner is None:  # erased between the read and now
        raise NotFound(LEARNER_NOT_FOUND)
    return await export_clr_for(learner, signer=signer)
