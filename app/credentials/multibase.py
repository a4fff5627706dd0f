"""base58btc multibase and Ed25519 multikeys (the `z6Mk…` strings of did:key)."""

from __future__ import annotations

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
# multicodec varint for ed25519-pub (0xed), see the multicodec table
ED25519_PUB_PREFIX = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _ALPHABET[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _INDEX[char]
        except KeyError:
            raise ValueError(f"not base58btc: {char!r}") from None
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * pad + body


def decode_multibase(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("only base58btc ('z') multibase is supported")
    return b58decode(value[1:])


def encode_multibase(data: bytes) -> str:
    return "z" + b58encode(data)


def ed25519_from_multikey(value: str) -> bytes:
    """The 32 raw public-key bytes of a `z6Mk…` Ed25519 multikey."""
    raw = decode_multibase(value)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 multikey")
    return raw[2:]


def ed25519_to_multikey(public: bytes) -> str:
    return encode_multibase(ED25519_PUB_PREFIX + public)
