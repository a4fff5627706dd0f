"""Malformed credentials: a report or NotACredential, never a crash."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.credentials.errors import NotACredential
from app.credentials.fetch import Response
from app.credentials.verify import verify_document

CONTEXTS = st.sampled_from(
    [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/openbadges/v2",
        [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
    ]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "type", "name", "achievement", "proof", "value"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
DOCUMENTS = st.fixed_dictionaries(
    {
        "@context": CONTEXTS,
        "type": st.sampled_from(
            [
                ["VerifiableCredential", "OpenBadgeCredential"],
                "Assertion",
                ["VerifiableCredential", "ClrCredential"],
                7,
            ]
        ),
    },
    optional={
        "issuer": VALUES,
        "credentialSubject": VALUES,
        "proof": VALUES,
        "validFrom": VALUES,
        "issuanceDate": VALUES,
        "credentialStatus": VALUES,
        "recipient": VALUES,
        "badge": VALUES,
        "verification": VALUES,
        "id": VALUES,
    },
)


class Offline:
    async def get(self, url: str) -> Response:
        return Response(url, 404, b"", "text/plain")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_shape_gives_a_report_or_a_reason(document: dict) -> None:
    try:
        report = asyncio.run(verify_document(document, fetcher=Offline()))
    except NotACredential:
        return
    checks = {c["name"] for c in report.to_dict()["checks"]}
    assert {"proof", "issuer_key", "validity_period", "status", "schema"} <= checks


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"<svg",
        b"a.b.c",
        b"[1,2]",
        "é".encode("latin-1"),
    ],
)
def test_garbage_is_not_a_credential(data: bytes) -> None:
    with pytest.raises(NotACredential):
        asyncio.run(verify_document(data, fetcher=Offline()))


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.sampled_from(["RS256", "ES256", "EdDSA", "none", "HS256", 5]))
def test_any_jws_payload_gives_a_report_or_a_reason(document: dict, alg) -> None:
    import json

    header = _b64(json.dumps({"alg": alg, "kid": "did:key:z6Mkabc"}).encode())
    for payload in (document, {"vc": document, "iss": document.get("issuer")}):
        token = f"{header}.{_b64(json.dumps(payload).encode())}.{_b64(b'sig')}"
        try:
            report = asyncio.run(verify_document(token, fetcher=Offline()))
        except NotACredential:
            continue
        assert report.verdict.value == "invalid"  # nothing here is really signed
