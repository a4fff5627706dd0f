"""Prices as integers in the currency's minor unit (cents, paise).

Catalogues state prices as decimal strings ("150.00") or floats (995.0);
records keep `fee_minor` as an int so sums and comparisons are exact. The
exponent is ISO 4217's minor unit; currencies without one in this table use 2,
which is what almost every currency has.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not 2 (the common ones).
_EXPONENTS = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}  # fmt: skip

# Spelled-out names seen in place of codes (CTDL's "US Dollar").
_NAMES = {
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "indian rupee": "INR",
    "rupee": "INR",
    "euro": "EUR",
    "pound sterling": "GBP",
}


def currency_code(value: str | None) -> str | None:
    """An ISO 4217 code from a code or a name; None when it is neither."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if len(text) == 3 and text.isalpha():
        return text.upper()
    return _NAMES.get(text.casefold())


def to_minor(amount: object, currency: str) -> int | None:
    """`amount` (str, int or float) in minor units; None when it is not a number."""
    if amount is None or isinstance(amount, bool) or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    scale = Decimal(10) ** _EXPONENTS.get(currency.upper(), 2)
    return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))
