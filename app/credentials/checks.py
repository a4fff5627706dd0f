"""The checks that read only the document: validity period and required fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.credentials.formats import types_of
from app.credentials.report import Status, VerificationReport

OB3_TYPES = ("OpenBadgeCredential", "AchievementCredential")


def parse_time(value: Any, *, numeric: bool = False) -> datetime | None:
    """An ISO 8601 date-time (naive means UTC); with `numeric`, also a JWT
    NumericDate (seconds since the epoch)."""
    if numeric and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_validity(
    report: VerificationReport,
    start: tuple[str, Any],
    end: tuple[str, Any],
    now: datetime | None = None,
    *,
    numeric: bool = False,
) -> None:
    """`start`/`end` are (field name, value) so the detail names the field."""
    now = now or datetime.now(UTC)
    (start_name, start_value), (end_name, end_value) = start, end
    begins = parse_time(start_value, numeric=numeric)
    ends = parse_time(end_value, numeric=numeric)
    if start_value is not None and begins is None:
        report.set(
            "validity_period",
            Status.FAILED,
            f"{start_name} is not a date: {start_value!r}",
        )
        return
    if end_value is not None and ends is None:
        report.set(
            "validity_period", Status.FAILED, f"{end_name} is not a date: {end_value!r}"
        )
        return
    if begins and begins > now:
        report.set(
            "validity_period",
            Status.FAILED,
            f"not yet valid: {start_name} {start_value}",
        )
    elif ends and ends <= now:
        report.set("validity_period", Status.FAILED, f"expired: {end_name} {end_value}")
    else:
        since = f"valid since {start_value}" if begins else "no start date"
        until = f"until {end_value}" if ends else "no expiry"
        report.set("validity_period", Status.PASSED, f"{since}, {until}")


def _missing(node: Any, fields: tuple[str, ...], prefix: str) -> list[str]:
    if not isinstance(node, dict):
        return [prefix.rstrip(".")]
    return [prefix + f for f in fields if node.get(f) in (None, "", [])]


def check_vc_schema(
    document: dict[str, Any], version: int, report: VerificationReport
) -> None:
    missing = _missing(
        document, ("@context", "type", "issuer", "credentialSubject"), ""
    )
    types = types_of(document)
    # VC 1.1 requires issuanceDate; VC 2.0 makes validFrom optional, OB 3.0 not
    start = "validFrom" if version == 2 else "issuanceDate"
    if not document.get(start) and (version == 1 or any(t in types for t in OB3_TYPES)):
        missing.append(start)
    issuer = document.get("issuer")
    if isinstance(issuer, dict) and not issuer.get("id"):
        missing.append("issuer.id")
    subject = document.get("credentialSubject")
    if any(t in types for t in OB3_TYPES):
        missing += _missing(subject, ("achievement",), "credentialSubject.")
        achievement = (
            (subject or {}).get("achievement") if isinstance(subject, dict) else None
        )
        if achievement is not None:
            missing += _missing(
                achievement,
                ("id", "type", "name", "criteria"),
                "credentialSubject.achievement.",
            )
    if "ClrCredential" in types:
        missing += _missing(subject, ("verifiableCredential",), "credentialSubject.")
    missing = sorted(set(missing))
    if missing:
        report.set(
            "schema", Status.FAILED, "missing required fields: " + ", ".join(missing)
        )
    else:
        report.set("schema", Status.PASSED, "required fields present")


def check_ob2_schema(assertion: dict[str, Any], report: VerificationReport) -> None:
    missing = _missing(
        assertion, ("id", "recipient", "badge", "issuedOn", "verification"), ""
    )
    missing += _missing(assertion.get("recipient"), ("identity", "type"), "recipient.")
    if missing:
        report.set(
            "schema",
            Status.FAILED,
            "missing required fields: " + ", ".join(sorted(set(missing))),
        )
    else:
        report.set("schema", Status.PASSED, "required fields present")
