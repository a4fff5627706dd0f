"""SWAYAM `courseList` nodes as normalised records: pure parsing, no I/O.

What the node format forces on us (FORMATS.md §1):

- a run is keyed by its slug (`noc20_ma39`), taken from the Relay id
  (`base64("CourseList:/nd1_noc20_ma39")`) or the url; a slug outside the
  coordinator-prefix grammar (`beta_testcourse10`) is kept as given, and the
  coordinator always comes from `ncCode`, never from the slug;
- each cycle mints a new slug, so the course a run belongs to is named by
  coordinator + normalised title + normalised institute;
- dates are UTC instants of Indian calendar days: the date is taken in
  Asia/Kolkata, and `""` means unknown;
- weeks and credits may be null; credits, when given, are stated by SWAYAM.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

from connectors import records
from connectors.keys import storage_key
from connectors.records import CourseRecord, OfferingRecord, ProviderRecord

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    IST: Any = ZoneInfo("Asia/Kolkata")
except (ImportError, ZoneInfoNotFoundError):  # no tz database on the host
    # India has kept +05:30 without DST since 1945, so the fixed offset gives
    # the same calendar dates for every catalogue timestamp.
    IST = timezone(timedelta(hours=5, minutes=30))


# The national coordinators (FORMATS.md §1). All are SWAYAM coordinators; a
# credit earned through SWAYAM is deposited in ABC through the platform (ABC
# Regulations 2021 name SWAYAM as a source of bankable credits, and the UGC
# SWAYAM Regulations 2021 oblige HEIs to accept them), so each counts as a
# registered depositor for R-ABC-REG.
COORDINATORS: dict[str, tuple[str, str]] = {
    "NPTEL": (
        "National Programme on Technology Enhanced Learning",
        "https://nptel.ac.in",
    ),
    "CEC": ("Consortium for Educational Communication", "https://cec.nic.in"),
    "IGNOU": ("Indira Gandhi National Open University", "https://www.ignou.ac.in"),
    "IIMB": ("Indian Institute of Management Bangalore", "https://www.iimb.ac.in"),
    "NITTTR": (
        "National Institute of Technical Teachers Training and Research",
        "https://www.nitttrchd.ac.in",
    ),
    "AICTE": ("All India Council for Technical Education", "https://www.aicte.gov.in"),
    "NCERT": (
        "National Council of Educational Research and Training",
        "https://ncert.nic.in",
    ),
    "NIOS": ("National Institute of Open Schooling", "https://www.nios.ac.in"),
    "UGC": ("University Grants Commission", "https://www.ugc.gov.in"),
}

# nodeCode -> host of the run pages.
NODE_HOSTS = {
    "nd1": "https://onlinecourses.nptel.ac.in",
    "nd2": "https://onlinecourses.swayam2.ac.in",
}


NAMES_CACHED = 4096  # distinct instructor strings kept per run
DATES_CACHED = 65_536  # distinct timestamps kept per run
DATE_FIELDS = ("startDate", "endDate", "enrollmentEndDate", "examDate")
_NODE_PREFIX = re.compile(r"^nd\d+_")
_NAME_SPLIT = re.compile(r"\s*(?:,|&|;|\band\b)\s*")


def normalise(text: str | None) -> str:
    """Strip, collapse every whitespace run (NBSP included), casefold.

    IGNOU's course codes ("BES 123: …") are kept: the code is the most stable
    part of the title, and dropping it could merge two courses that share a
    name; the real sample's 640 courses come out the same either way.
    """
    return " ".join((text or "").split()).casefold()


def course_key(coordinator: str, title: str, institute: str | None) -> str:
    # NodeParser.parse builds the same key inline from text it has collapsed.
    return f"{coordinator.casefold()}|{normalise(title)}|{normalise(institute)}"


class _DateCache(dict[str, date | None]):
    """Timestamp string -> IST date; catalogues repeat a few hundred instants."""

    def __missing__(self, value: str) -> date | None:
        if not value:
            result = None
        else:
            instant = datetime.fromisoformat(value)
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=UTC)
            result = instant.astimezone(IST).date()
        if len(self) >= DATES_CACHED:  # a run's catalogue repeats far fewer
            self.clear()
        self[value] = result
        return result


class MalformedNode(ValueError):
    pass


# A node's fingerprint covers this parser's own source and the records'
# (not a version number someone must remember to bump): after any change to
# how nodes are read, every node is parsed again once, and rows whose content
# did not change are only restamped.
_PARSER = hashlib.sha256(
    b"".join(Path(m).read_bytes() for m in (__file__, records.__file__))
).digest()


def fingerprint(node: Any) -> int | None:
    """A signed 64-bit digest of a node as received (key order included) and
    of the parser; None for what orjson cannot serialise (parsed every run).
    SHA-256, not blake2b: with the CPU's SHA instructions it costs 0.7 µs a
    node against 1.2 µs (timeit, 719-byte node)."""
    try:
        data = orjson.dumps(node)
    except TypeError:
        return None
    digest = hashlib.sha256(_PARSER + data).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def stored_key(node: Any) -> tuple[tuple[str, str] | None, str | None]:
    """(provider slug, run slug as stored) as a parsed node would give them,
    and the run slug for `NodeParser.parse`; None for what the node lacks
    (then parsing says why)."""
    if not isinstance(node, dict):
        return None, None
    try:
        slug = _slug(node)
    except MalformedNode:
        return None, None
    code = node.get("ncCode")
    if not isinstance(code, str) or not code.strip():
        return None, slug
    return (code.strip().upper().casefold(), storage_key(slug)), slug


def _slug(node: dict[str, Any]) -> str:
    """The run slug from the Relay id, else from the url."""
    raw_id = node.get("id")
    path = None
    if isinstance(raw_id, str) and raw_id:
        try:
            # base64.b64decode(validate=True) is this plus a Python wrapper
            decoded = binascii.a2b_base64(raw_id, strict_mode=True).decode("utf-8")
        except ValueError:  # not base64, not ASCII, not UTF-8
            decoded = ""
        _, sep, path = decoded.partition(":/")
        if not sep:
            path = None
    if not path:
        url = node.get("url")
        if isinstance(url, str) and url.strip("/"):
            path = url.strip("/").split("/", 1)[0]
    if not path:
        raise MalformedNode("no slug: neither a decodable id nor a url")
    node_code = node.get("nodeCode")
    if isinstance(node_code, str) and path.startswith(node_code + "_"):
        return path[len(node_code) + 1 :]
    return _NODE_PREFIX.sub("", path, count=1)


def _text(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedNode(f"{key} is {type(value).__name__}, not a string")
    value = " ".join(value.split())
    return value or None


def _count(node: dict[str, Any], key: str) -> int | None:
    value = node.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedNode(f"{key} is {value!r}, not a number")
    if value < 0:
        raise MalformedNode(f"{key} is negative ({value})")
    return int(value)


def _subjects(categories: Any) -> tuple[str, ...]:
    """Category names; anything that is not `[{name: str}]` is skipped, not fatal."""
    try:
        return tuple([c["name"].strip() for c in categories])
    except (TypeError, KeyError, AttributeError):
        return tuple(
            c["name"].strip()
            for c in categories or ()
            if isinstance(c, dict) and isinstance(c.get("name"), str)
        )


def _names(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(n for n in _NAME_SPLIT.split(value) if n)


def provider_record(code: str) -> ProviderRecord:
    name, url = COORDINATORS.get(code, (code, None))
    return ProviderRecord(
        slug=code.casefold(),
        name=name,
        kind="national_coordinator",
        country="IN",
        url=url,
        abc_registered=True,
        swayam=True,
    )


class NodeParser:
    """Turns one node into (coordinator, course, offering); keeps run state small.

    This runs once per record of every sync, so the common case (well-typed
    fields, timestamps seen before) avoids helper calls; odd values fall
    through to the checks that name what is wrong.
    """

    def __init__(self) -> None:
        self._dates = _DateCache()
        # explorerInstructorName -> names: the same people teach many runs
        self._names: dict[str, tuple[str, ...]] = {}

    def _date(self, value: Any, key: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise MalformedNode(f"{key} is {value!r}, not a timestamp")
        try:
            return self._dates[value]
        except ValueError as exc:
            raise MalformedNode(f"{key} {value!r} is not an ISO timestamp") from exc

    def parse(
        self,
        node: Any,
        source_url: str,
        fingerprint: int | None = None,
        slug: str | None = None,
    ) -> tuple[str, CourseRecord, OfferingRecord]:
        """`slug`: the node's, when the caller has it already (`stored_key`)."""
        if not isinstance(node, dict):
            raise MalformedNode(f"node is {type(node).__name__}, not an object")
        get = node.get
        if slug is None:
            slug = _slug(node)
        # Text fields: a string is collapsed inline (the common case), any
        # other value goes through _text, which says what is wrong with it.
        title = get("title")
        title = (
            " ".join(title.split()) if title.__class__ is str else _text(node, "title")
        )
        if not title:
            raise MalformedNode("no title")
        code = get("ncCode")
        if not isinstance(code, str) or not code.strip():
            raise MalformedNode("no ncCode (national coordinator)")
        code = code.strip().upper()
        institute = get("instructorInstitute")
        if institute.__class__ is str:
            institute = " ".join(institute.split()) or None
        else:
            institute = _text(node, "instructorInstitute")
        weeks = get("weeks")
        if weeks.__class__ is not int or weeks < 0:
            weeks = _count(node, "weeks")
        credits = get("credits")
        if credits.__class__ is not int or credits < 0:
            credits = _count(node, "credits")
        provider = code.casefold()
        # title and institute are collapsed already: course_key's normalise()
        # would only casefold them again.
        key = (
            f"{provider}|{title.casefold()}|{institute.casefold() if institute else ''}"
        )
        url_path = get("url")
        host = NODE_HOSTS.get(get("nodeCode") or "")
        run_url = f"{host}{url_path}" if host and isinstance(url_path, str) else None
        summary = get("explorerSummary")
        if summary.__class__ is str:
            summary = " ".join(summary.split()) or None
        elif summary:
            summary = _text(node, "explorerSummary")
        names = get("explorerInstructorName")
        if names.__class__ is str:
            instructors = self._names.get(names)
            if instructors is None:
                if len(self._names) >= NAMES_CACHED:
                    self._names.clear()
                instructors = self._names[names] = _names(" ".join(names.split()))
        else:
            instructors = _names(_text(node, "explorerInstructorName")) if names else ()
        workload = get("estimatedWorkload")
        course = CourseRecord(
            provider,
            key,
            title,
            summary or None,
            _subjects(get("category")),
            weeks=weeks,
            # SWAYAM states credits under the UGC framework; hours are not
            # stated, so notional hours are left for the credit engine.
            credits=float(credits) if credits is not None else None,
            credit_source="stated" if credits is not None else None,
            credit_unit="ncrf" if credits is not None else None,
            workload_text=None
            if workload is None
            else _text(node, "estimatedWorkload"),
            mode="online",
            institute=institute,
            instructors=instructors,
            coordinator=code,
            source_url=source_url,
            raw=node,
        )
        dates = self._dates
        stamps = []
        for field in DATE_FIELDS:
            value = get(field)
            if value.__class__ is str and value in dates:
                stamps.append(dates[value])
            else:
                stamps.append(self._date(value, field))
        start, end, enrolment_end, exam = stamps
        if get("showInExplorer") is False:
            status = "hidden"
        elif get("openForRegistration"):
            status = "open"
        else:
            status = "closed"
        offering = OfferingRecord(
            provider,
            key,
            slug,
            start,
            end,
            enrolment_end,
            exam,
            mode="online",
            status=status,
            url=run_url,
            has_exam=True if exam else None,
            source_url=source_url,
            raw=node,
            fingerprint=fingerprint,
        )
        return code, course, offering


def safe_slug(node: Any) -> str | None:
    """The slug of a node, or None when it has none (for quarantine keys)."""
    try:
        return _slug(node) if isinstance(node, dict) else None
    except MalformedNode:
        return None
