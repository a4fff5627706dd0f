"""Badges baked into images: PNG `iTXt` chunk `openbadges`, SVG `openbadges:…` element.

Open Badges Baking 2.0: a PNG carries the assertion (JSON, a compact JWS, or for
hosted badges its URL) in an uncompressed iTXt chunk keyed `openbadges`; an SVG
carries it in `<openbadges:assertion verify="…">` (OB 3.0: `<openbadges:credential>`),
either as text/CDATA or, for hosted and JWS badges, in the `verify` attribute.
"""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

from app.credentials.errors import NotACredential

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadges"
SVG_NS = "http://openbadges.org"


def _chunks(data: bytes):
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise NotACredential("truncated PNG")
        yield pos, kind, body
        pos += 12 + length


def unbake_png(data: bytes) -> str:
    if not data.startswith(PNG_SIGNATURE):
        raise NotACredential("not a PNG")
    for _, kind, body in _chunks(data):
        if kind == b"iTXt" and body.startswith(KEYWORD + b"\0"):
            rest = body[len(KEYWORD) + 1 :]
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            if compressed:
                text = zlib.decompress(text)
            return text.decode("utf-8")
        if kind == b"tEXt" and body.startswith(KEYWORD + b"\0"):
            return body[len(KEYWORD) + 1 :].decode("latin-1")
    raise NotACredential("PNG has no baked badge (no iTXt 'openbadges' chunk)")


def bake_png(data: bytes, payload: str) -> bytes:
    """A copy of a PNG with `payload` baked in (any earlier badge is replaced)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    body = KEYWORD + b"\0\0\0\0\0" + payload.encode("utf-8")
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    out = bytearray(PNG_SIGNATURE)
    for pos, kind, body_ in _chunks(data):
        if kind == b"iTXt" and body_.startswith(KEYWORD + b"\0"):
            continue
        if kind == b"IEND":
            out += chunk
        out += data[pos : pos + 12 + len(body_)]
    return bytes(out)


def unbake_svg(text: str) -> str:
    try:
        # the stdlib parser does not fetch external entities or DTDs
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise NotACredential(f"not well-formed SVG: {exc}") from None
    for tag in ("assertion", "credential"):
        element = root.find(f".//{{{SVG_NS}}}{tag}")
        if element is None:
            continue
        content = (element.text or "").strip()
        if content:
            return content
        verify = element.get("verify")
        if verify:
            return verify.strip()
    raise NotACredential("SVG has no baked badge (no openbadges:assertion element)")


def bake_svg(svg: str, payload: str, *, as_attribute: bool = False) -> str:
    """Insert an `openbadges:assertion` element right after the root's start tag."""
    from xml.sax.saxutils import escape, quoteattr

    element = (
        f"<openbadges:assertion verify={quoteattr(payload)}/>"
        if as_attribute
        else f"<openbadges:assertion>{escape(payload)}</openbadges:assertion>"
    )
    start = svg.index("<svg")
    end = svg.index(">", start)
    head = svg[start:end]
    if "xmlns:openbadges" not in head:
        head += f' xmlns:openbadges="{SVG_NS}"'
    return svg[:start] + head + ">" + element + svg[end + 1 :]
