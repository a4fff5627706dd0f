"""What a piece of input is: a JSON credential, a compact JWS, or a baked image.

`parse_input` turns bytes or text into a `Parsed` (a JSON document, or a compact JWS
with its decoded parts), unwrapping baked PNG/SVG badges; anything else raises
NotACredential with the reason, which the CLI prints and exits 2.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from app.credentials.baked import PNG_SIGNATURE, unbake_png, unbake_svg
from app.credentials.errors import NotACredential

_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
MAX_INPUT_BYTES = 5_000_000

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"


@dataclass
class Parsed:
    document: dict[str, Any] | None = None
    jws: str | None = None
    jws_header: dict[str, Any] | None = None
    jws_payload: dict[str, Any] | None = None
    # set when the input was a URL (the hosted OB 2.0 case) or a baked image
    source: str | None = None


def b64url_json(part: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise NotACredential(f"JWS part is not base64url JSON: {exc}") from None


def parse_jws(token: str) -> Parsed:
    header, payload, _ = token.split(".")
    head, body = b64url_json(header), b64url_json(payload)
    if not isinstance(head, dict) or not isinstance(body, dict):
        raise NotACredential("JWS header and payload must be JSON objects")
    return Parsed(jws=token, jws_header=head, jws_payload=body)


def parse_text(text: str, *, source: str | None = None) -> Parsed:
    text = text.strip().lstrip("\ufeff")
    if _JWS.match(text):
        parsed = parse_jws(text)
    elif text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise NotACredential(f"not valid JSON: {exc}") from None
        if not isinstance(document, dict):
            raise NotACredential("a credential must be a JSON object")
        parsed = Parsed(document=document)
    elif text.startswith("<"):
        return parse_text(unbake_svg(text), source=source or "svg")
    elif re.match(r"^https?://\S+$", text):
        # a baked hosted badge carries only its URL: the verifier fetches it
        parsed = Parsed(document={"id": text, "verification": {"type": "hosted"}})
        parsed.source = "url"
        return parsed
    else:
        raise NotACredential("not JSON, a compact JWS, a URL, PNG or SVG")
    parsed.source = source
    return parsed


def parse_input(data: bytes | str | dict[str, Any]) -> Parsed:
    if isinstance(data, dict):
        return Parsed(document=data)
    if not isinstance(data, (str, bytes)):
        raise NotACredential(
            f"a credential is an object or text, not {type(data).__name__}"
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_INPUT_BYTES:
        raise NotACredential(f"input larger than {MAX_INPUT_BYTES} bytes")
    if data.startswith(PNG_SIGNATURE):
        return parse_text(unbake_png(data), source="png")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotACredential("binary input that is not a PNG") from None
    return parse_text(text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def types_of(node: Any) -> list[str]:
    if not isinstance(node, dict):
        return []
    return _strings(node.get("type", node.get("@type")))


def contexts_of(document: dict[str, Any]) -> list[str]:
    return _strings(document.get("@context"))


def detect(document: dict[str, Any]) -> str:
    """The format name of a JSON document, or NotACredential."""
    types = types_of(document)
    contexts = contexts_of(document)
    if "VerifiableCredential" in types:
        if "ClrCredential" in types:
            return "clr2"
        if VC_V2 in contexts:
            return "ob3-vc2"
        if VC_V1 in contexts:
            return "vc1"
        raise NotACredential("VerifiableCredential without a W3C VC @context")
    if "Assertion" in types or (OB2_CONTEXT in contexts and "recipient" in document):
        verification = document.get("verification")
        kind = verification.get("type") if isinstance(verification, dict) else "hosted"
        return "ob2-signed" if kind in ("signed", "SignedBadge") else "ob2-hosted"
    verification = document.get("verification")
    if (
        not types
        and isinstance(verification, dict)
        and verification.get("type") == "hosted"
    ):
        return "ob2-hosted"  # a baked hosted badge: only its URL is known

    if types:
        raise NotACredential(f"a {'/'.join(types)} is not a credential to verify")
    raise NotACredential(
        "no credential type: not an Open Badge or verifiable credential"
    )
