"""W3C Bitstring status lists: a set bit revokes, a clear bit passes, a list that
cannot be fetched leaves the verdict indeterminate."""

from __future__ import annotations

import pytest

from app.credentials import dataintegrity
from app.credentials.signing import Signer
from app.credentials.status import bit_at, decode_bitstring, encode_bitstring
from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb, make_ob3

LIST_URL = "https://issuer.example/status/1"


def status_list(signer: Signer, revoked: set[int], purpose: str = "revocation") -> dict:
    bits = bytearray(16 * 1024)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.issuer_id,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(bytes(bits)),
        },
    }
    return dataintegrity.sign(document, signer.private_key, signer.verification_method)


def entry(index: int, purpose: str = "revocation") -> dict:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }


def test_bit_order_is_most_significant_first() -> None:
    bits = decode_bitstring(encode_bitstring(b"\x80\x01"))
    assert [bit_at(bits, i) for i in (0, 1, 15)] == [True, False, True]


@pytest.mark.asyncio
async def test_set_bit_revokes(issuer_key: Signer, web_server: LocalWeb) -> None:
    web_server.publish(LIST_URL, status_list(issuer_key, {42}))
    report = await verify_document(
        make_ob3(issuer_key, status=entry(42)), fetcher=web_server
    )
    assert report.verdict.value == "invalid"
    assert report.check("status").status.value == "failed"
    assert "revoked" in report.check("status").detail


@pytest.mark.asyncio
async def test_clear_bit_passes(issuer_key: Signer, web_server: LocalWeb) -> None:
    web_server.publish(LIST_URL, status_list(issuer_key, {42}))
    report = await verify_document(
        make_ob3(issuer_key, status=entry(41)), fetcher=web_server
    )
    assert report.verdict.value == "valid"


@pytest.mark.asyncio
async def test_suspension_says_suspended(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    web_server.publish(LIST_URL, status_list(issuer_key, {7}, purpose="suspension"))
    credential = make_ob3(issuer_key, status=entry(7, purpose="suspension"))
    report = await verify_document(credential, fetcher=web_server)
    assert "suspended" in report.check("status").detail


@pytest.mark.asyncio
async def test_unfetchable_list_is_indeterminate(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    report = await verify_document(
        make_ob3(issuer_key, status=entry(1)), fetcher=web_server
    )
    assert report.verdict.value == "indeterminate"
    assert report.check("status").status.value == "indeterminate"


@pytest.mark.asyncio
async def test_list_signed_by_someone_else_is_not_trusted(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.credentials.signing import signer_for

    forger = signer_for(Ed25519PrivateKey.generate())
    web_server.publish(LIST_URL, status_list(forger, set()))
    report = await verify_document(
        make_ob3(issuer_key, status=entry(1)), fetcher=web_server
    )
    assert report.check("status").status.value == "failed"
    assert report.verdict.value == "invalid"


VC1 = "https://www.w3.org/2018/credentials/v1"
SL2021 = "https://w3id.org/vc/status-list/2021/v1"
DI1 = "https://w3id.org/security/data-integrity/v1"


@pytest.mark.asyncio
async def test_status_list_2021_on_a_vc_1_1_credential(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    bits = bytearray(16 * 1024)
    bits[0] = 0b0010_0000  # index 2 revoked
    encoded = encode_bitstring(bytes(bits)).removeprefix("u")  # 2021: no multibase
    status_list = {
        "@context": [VC1, SL2021, DI1],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer_key.issuer_id,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    web_server.publish(
        LIST_URL,
        dataintegrity.sign(
            status_list, issuer_key.private_key, issuer_key.verification_method
        ),
    )

    def credential(index: int) -> dict:
        document = {
            "@context": [VC1, SL2021, DI1],
            "id": f"urn:uuid:00000000-0000-4000-8000-00000000030{index}",
            "type": ["VerifiableCredential"],
            "issuer": issuer_key.issuer_id,
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {
                "id": f"{LIST_URL}#{index}",
                "type": "StatusList2021Entry",
                "statusPurpose": "revocation",
                "statusListIndex": str(index),
                "statusListCredential": LIST_URL,
            },
        }
        return dataintegrity.sign(
            document, issuer_key.private_key, issuer_key.verification_method
        )

    revoked = await verify_document(credential(2), fetcher=web_server)
    assert (revoked.format, revoked.verdict.value) == ("vc1", "invalid")
    assert "revoked" in revoked.check("status").detail
    fine = await verify_document(credential(3), fetcher=web_server)
    assert fine.verdict.value == "valid", fine.to_dict()
