"""Baked badges: a PNG or SVG made here carries a credential that reads back."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from app.credentials.baked import bake_png, bake_svg, unbake_png
from app.credentials.errors import NotACredential
from app.credentials.signing import Signer
from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb, make_ob3


def tiny_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>'


@pytest.mark.asyncio
async def test_png_baked_credential_reads_back_and_verifies(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    credential = make_ob3(issuer_key)
    png = bake_png(tiny_png(), json.dumps(credential))
    assert json.loads(unbake_png(png)) == credential
    report = await verify_document(png, fetcher=web_server)
    assert report.verdict.value == "valid"
    assert report.achievement.name == "Data Structures"


@pytest.mark.asyncio
async def test_rebaking_replaces_the_old_badge(issuer_key: Signer) -> None:
    first = bake_png(tiny_png(), json.dumps(make_ob3(issuer_key, name="First")))
    second = bake_png(first, json.dumps(make_ob3(issuer_key, name="Second")))
    assert json.loads(unbake_png(second))["name"] == "Second"


@pytest.mark.asyncio
async def test_svg_baked_credential_reads_back_and_verifies(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    svg = bake_svg(SVG, json.dumps(make_ob3(issuer_key)))
    report = await verify_document(svg.encode(), fetcher=web_server)
    assert report.verdict.value == "valid"


@pytest.mark.asyncio
async def test_svg_with_a_tampered_credential_fails_proof(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    credential = make_ob3(issuer_key)
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 40
    report = await verify_document(
        bake_svg(SVG, json.dumps(credential)), fetcher=web_server
    )
    assert report.check("proof").status.value == "failed"


@pytest.mark.asyncio
async def test_svg_hosted_badge_url_in_verify_attribute(
    samples, web_server: LocalWeb
) -> None:
    from tests.credentials.test_samples import V2V, publish_hosted, publish_issuers

    publish_issuers(web_server, samples)
    publish_hosted(web_server, samples / V2V / "basic-assertion.json")
    url = json.loads((samples / V2V / "basic-assertion.json").read_text())["id"]
    svg = bake_svg(SVG, url, as_attribute=True)
    report = await verify_document(svg, fetcher=web_server)
    assert (report.format, report.verdict.value) == ("ob2-hosted", "valid")
    assert report.achievement.name == "Awesome Robotics Badge"


def test_png_without_a_badge_is_not_a_credential() -> None:
    with pytest.raises(NotACredential, match="no baked badge"):
        unbake_png(tiny_png())
