"""Open edX course-discovery: `/api/v1/courses/` and `/api/v1/programs/`.

FORMATS.md §3 is the reference. What the wire format forces on us:

- OAuth2 client credentials against the LMS (`token_url`, `client_id`, the
  secret in `SourceConfig.secrets["client_secret"]`); the JWT goes in
  `Authorization: JWT <token>`; a 401 mid-run gets one fresh token;
- DRF pages `{"count", "next", "previous", "results"}`: we send `page` and
  `page_size` and then follow `next` until it is null (or "", as older
  instances send);
- an incremental run (`SyncState.full` false, `since` set) adds
  `timestamp=<since>`, i.e. only what changed since (`data_modified_timestamp
  >= since`); there are no course tombstones, so only full runs can withdraw;
- deleted programs are not listed by default; a third listing with
  `status=deleted` turns each into a `Withdrawal`.

A course is keyed by its `key` (`MITx+15.071x`), a run by its run key
(`course-v1:MITx+15.071x+1T2019`), a program by its uuid. Effort is stated per
run in hours per week (`min_effort`, `max_effort`) and `weeks_to_complete`;
the course takes them from its newest run. A `credit` seat's `credit_hours`
are stated credits in US semester hours.

The resume cursor is `<listing>|<next url>`, so a run that died in the
programs listing does not walk the courses again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from connectors.base import ConnectorError, SourceConfig, SyncState
from connectors.http import BadPayload, FetchFailed, HttpClient, Response
from connectors.jsonbody import decode_object, dump_raw
from connectors.money import currency_code, to_minor
from connectors.oauth import Token, client_credentials
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    PathwayRecord,
    ProviderRecord,
    Record,
    Withdrawal,
)

NAME = "edx"
DEFAULT_PAGE_SIZE = 100
COURSES = "/api/v1/courses/"
PROGRAMS = "/api/v1/programs/"
# (listing, path, extra query): walked in this order.
LISTINGS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("courses", COURSES, {"include_hidden_course_runs": "1"}),
    ("programs", PROGRAMS, {}),
    ("deleted", PROGRAMS, {"status": "deleted"}),
)
# Seat types that end in a certificate (audit does not).
CERTIFICATE_SEATS = frozenset(
    {"verified", "professional", "no-id-professional", "credit", "masters"}
)
DONE = "done|"


class MalformedItem(ValueError):
    pass


class ConfigError(ConnectorError):
    """The source lacks something the connector needs (a URL, a secret)."""


def decode_page(body: bytes) -> dict[str, Any]:
    doc = decode_object(body)
    if not isinstance(doc.get("results"), list):
        raise BadPayload("no results list in the page")
    return doc


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedItem(f"{key} is {type(value).__name__}, not a string")
    return " ".join(value.split()) or None


def _instant(value: Any, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise MalformedItem(f"{key} is {value!r}, not a timestamp")
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedItem(f"{key} {value!r} is not an ISO timestamp") from exc
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _date(run: dict[str, Any], key: str) -> date | None:
    # Course-discovery stores UTC instants; edX shows them as UTC dates.
    instant = _instant(run.get(key), key)
    return instant.astimezone(UTC).date() if instant else None


def _number(value: Any, key: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedItem(f"{key} is {value!r}, not a number")
    if value < 0:
        raise MalformedItem(f"{key} is negative ({value})")
    return float(value)


def _newest_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run course-level effort comes from: newest start, visible first."""
    if not runs:
        return None

    def order(run: dict[str, Any]) -> tuple[bool, str]:
        return (not run.get("hidden"), str(run.get("start") or ""))

    return max(runs, key=order)


def _effort(run: dict[str, Any] | None) -> tuple[float | None, str | None]:
    """Hours per week (the midpoint of min and max) and the range as text."""
    if run is None:
        return None, None
    low = _number(run.get("min_effort"), "min_effort")
    high = _number(run.get("max_effort"), "max_effort")
    if low is None and high is None:
        return None, None
    if low is None or high is None:
        only = low if low is not None else high
        return only, f"{only:g} hours/week"
    low, high = sorted((low, high))  # real runs have min > max (MITx+8.370.3x)
    text = f"{low:g}-{high:g} hours/week" if low != high else f"{low:g} hours/week"
    return (low + high) / 2, text


def _seats(run: dict[str, Any]) -> list[dict[str, Any]]:
    seats = run.get("seats") or []
    if not isinstance(seats, list):
        raise MalformedItem("seats is not a list")
    return [s for s in seats if isinstance(s, dict)]


def _fee(run: dict[str, Any]) -> tuple[int | None, str | None]:
    """The cheapest paid certificate seat, in minor units (audit is free)."""
    best: tuple[int, str] | None = None
    for seat in _seats(run):
        if seat.get("type") not in CERTIFICATE_SEATS:
            continue
        currency = currency_code(seat.get("currency")) or "USD"
        minor = to_minor(seat.get("price"), currency)
        if minor is None or minor == 0:
            continue
        if best is None or minor < best[0]:
            best = (minor, currency)
    return best if best else (None, None)


def _credit_hours(runs: list[dict[str, Any]]) -> float | None:
    hours = [
        _number(seat.get("credit_hours"), "credit_hours")
        for run in runs
        for seat in _seats(run)
        if seat.get("type") == "credit"
    ]
    stated = [h for h in hours if h]
    return max(stated) if stated else None


def _names(people: Any) -> tuple[str, ...]:
    names = []
    for person in people or ():
        if not isinstance(person, dict):
            continue
        name = " ".join(
            str(part).strip()
            for part in (person.get("given_name"), person.get("family_name"))
            if part
        )
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _run_status(run: dict[str, Any]) -> str | None:
    if run.get("hidden"):
        return "hidden"
    status = run.get("status")
    return str(status) if status else None


class ItemParser:
    def __init__(self, provider: str) -> None:
        self.provider = provider

    def course(
        self, item: Any, source_url: str
    ) -> tuple[CourseRecord, list[OfferingRecord]]:
        if not isinstance(item, dict):
            raise MalformedItem(f"course is {type(item).__name__}, not an object")
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            raise MalformedItem("no course key")
        title = _text(item, "title")
        if not title:
            raise MalformedItem("no title")
        runs = item.get("course_runs") or []
        if not isinstance(runs, list):
            raise MalformedItem("course_runs is not a list")
        runs = [r for r in runs if isinstance(r, dict)]
        newest = _newest_run(runs)
        per_week, effort_text = _effort(newest)
        weeks = (
            _number(newest.get("weeks_to_complete"), "weeks_to_complete")
            if newest
            else None
        )
        credit_hours = _credit_hours(runs)
        owners = [o for o in item.get("owners") or () if isinstance(o, dict)]
        languages = sorted(
            {str(r["content_language"]) for r in runs if r.get("content_language")}
        )
        uuid = item.get("uuid")
        url = _text(item, "marketing_url")
        instructors: list[str] = []
        for run in runs:
            for name in _names(run.get("staff")):
                if name not in instructors:
                    instructors.append(name)
        course = CourseRecord(
            provider=self.provider,
            external_id=key.strip(),
            title=title,
            description=_text(item, "short_description"),
            subjects=tuple(
                s["name"]
                for s in item.get("subjects") or ()
                if isinstance(s, dict) and s.get("name")
            ),
            level_label=_text(item, "level_type"),
            weeks=int(weeks) if weeks is not None else None,
            hours_per_week=per_week,
            workload_text=effort_text,
            notional_hours=_number(item.get("estimated_hours"), "estimated_hours"),
            credits=credit_hours,
            credit_source="stated" if credit_hours else None,
            credit_unit="us_semester_hour" if credit_hours else None,
            languages=tuple(languages),
            mode="online",
            url=url,
            institute=", ".join(str(o.get("name") or o.get("key")) for o in owners)
            or None,
            instructors=tuple(instructors),
            has_certificate=any(
                seat.get("type") in CERTIFICATE_SEATS
                for run in runs
                for seat in _seats(run)
            )
            or None,
            identifiers=tuple(
                i
                for i in (
                    f"edx:{key.strip()}",
                    uuid if isinstance(uuid, str) else None,
                    url,
                )
                if i
            ),
            source_url=source_url,
            raw=item,
        )
        offerings = [self._offering(key.strip(), run, source_url) for run in runs]
        return course, offerings

    def _offering(
        self, course_key: str, run: dict[str, Any], source_url: str
    ) -> OfferingRecord:
        run_key = run.get("key")
        if not isinstance(run_key, str) or not run_key:
            raise MalformedItem("a course run has no key")
        fee, currency = _fee(run)
        return OfferingRecord(
            provider=self.provider,
            course_external_id=course_key,
            external_id=run_key,
            start=_date(run, "start"),
            end=_date(run, "end"),
            enrolment_end=_date(run, "enrollment_end"),
            fee_minor=fee,
            currency=currency,
            mode="online",
            language=_text(run, "content_language"),
            status=_run_status(run),
            url=_text(run, "marketing_url"),
            source_url=source_url,
            raw=run,
        )

    def program(self, item: Any, source_url: str) -> PathwayRecord:
        if not isinstance(item, dict):
            raise MalformedItem(f"program is {type(item).__name__}, not an object")
        uuid = item.get("uuid")
        if not isinstance(uuid, str) or not uuid:
            raise MalformedItem("no program uuid")
        title = _text(item, "title")
        if not title:
            raise MalformedItem("no title")
        refs = []
        for course in item.get("courses") or ():
            key = course.get("key") if isinstance(course, dict) else course
            if isinstance(key, str) and key and key not in refs:
                refs.append(key)
        kind = item.get("type")
        kind = kind if isinstance(kind, str) else None
        # XSeries, MicroMasters and Professional Certificates are earned by
        # passing every course of the program.
        requirement = (
            {
                "type": "all_of",
                "rule": "EDX-PROGRAM",
                "description": f"every course of the {kind or 'program'}",
                "children": [{"type": "course", "ref": ref} for ref in refs],
            }
            if refs
            else None
        )
        return PathwayRecord(
            provider=self.provider,
            external_id=uuid,
            title=title,
            kind=kind,
            description=_text(item, "subtitle"),
            course_refs=tuple(refs),
            requirement=requirement,
            credential_awarded=f"{kind} certificate" if kind else None,
            url=_text(item, "marketing_url"),
            source_url=source_url,
            raw=item,
        )

    def deleted(self, item: Any) -> Withdrawal:
        if not isinstance(item, dict) or not isinstance(item.get("uuid"), str):
            raise MalformedItem("deleted program without a uuid")
        return Withdrawal(
            entity="pathway",
            provider=self.provider,
            external_id=item["uuid"],
            at=_instant(item.get("data_modified_timestamp"), "data_modified_timestamp"),
        )


def _safe_key(item: Any) -> str | None:
    if isinstance(item, dict):
        key = item.get("key") or item.get("uuid")
        return str(key) if key is not None else None
    return None


class EdxConnector:
    """Options: `token_url`, `client_id`, `page_size` (100), `provider`
    ("edx"), `provider_name` ("edX"); secret `client_secret`.

    Without `token_url` the API is called anonymously (a local devstack or
    the simulator's open mode).
    """

    name = NAME
    # The engine passes `since` to a non-full run: the `timestamp` filter
    # and the deleted-programs listing make it a change feed.
    incremental = True

    def __init__(self, config: SourceConfig, http: HttpClient) -> None:
        if not config.base_url:
            raise ConfigError(f"source {config.name!r}: edx needs a base URL")
        self.config = config
        self.http = http
        self.base_url = config.base_url.rstrip("/")
        options = config.options
        self.page_size = int(options.get("page_size", DEFAULT_PAGE_SIZE))
        self.provider = str(options.get("provider", NAME))
        self.provider_name = str(options.get("provider_name", "edX"))
        self.token_url = options.get("token_url")
        self.client_id = options.get("client_id")
        self.client_secret = config.secrets.get("client_secret")
        if self.token_url and not (self.client_id and self.client_secret):
            raise ConfigError(
                f"source {config.name!r}: token_url needs client_id and the "
                "client_secret secret"
            )
        self._token: Token | None = None
        self._parser = ItemParser(self.provider)

    async def _auth(self, renew: bool = False) -> dict[str, str]:
        if not self.token_url:
            return {}
        if renew or self._token is None or not self._token.fresh():
            self._token = await client_credentials(
                str(self.token_url),
                str(self.client_id),
                str(self.client_secret),
                self.http.policy,
            )
        return self._token.header

    async def _get(self, url: str, what: str) -> Response:
        try:
            return await self.http.get(
                url, headers=await self._auth(), decode=decode_page, what=what
            )
        except FetchFailed as exc:
            if exc.status != 401 or not self.token_url:
                raise
            # The token expired (or was revoked) mid-run: one fresh try.
            return await self.http.get(
                url, headers=await self._auth(renew=True), decode=decode_page, what=what
            )

    def _first_url(self, path: str, extra: dict[str, str], state: SyncState) -> str:
        params = {"page": "1", "page_size": str(self.page_size), **extra}
        if not state.full and state.since is not None:
            since = state.since
            if since.tzinfo is None:  # the engine stores UTC; naive means UTC
                since = since.replace(tzinfo=UTC)
            params["timestamp"] = since.astimezone(UTC).isoformat()
        return f"{self.base_url}{path}?{urlencode(params)}"

    async def records(self, state: SyncState) -> AsyncIterator[Record]:
        start_listing, start_url = _split_cursor(state.resume_cursor)
        if start_listing == "done":
            return
        yield ProviderRecord(
            slug=self.provider,
            name=self.provider_name,
            kind="platform",
            url=self.base_url,
        )
        number = 0
        seen: set[str] = set()
        started = start_listing is None
        for listing, path, extra in LISTINGS:
            if not started:
                if listing != start_listing:
                    continue
                started = True
                url = start_url or self._first_url(path, extra, state)
            else:
                url = self._first_url(path, extra, state)
            page = 0
            while url:
                number += 1
                page += 1
                response = await self._get(url, f"edX {listing} page {page} ({url})")
                doc = response.data
                following = doc.get("next") or None
                if following:
                    following = urljoin(url, str(following))
                dupes = 0
                for record in self._page(listing, doc["results"], url, seen):
                    if record is None:
                        dupes += 1
                    else:
                        yield record
                cursor = f"{listing}|{following}" if following else _after(listing)
                meta: dict[str, Any] = {"listing": listing}
                if dupes:
                    meta["duplicates"] = dupes
                total = doc.get("count")
                yield PageDone(
                    number,
                    cursor,
                    total=total if isinstance(total, int) else None,
                    meta=meta,
                )
                url = following

    def _page(
        self, listing: str, items: list[Any], source_url: str, seen: set[str]
    ) -> Iterator[Record | None]:
        for item in items:
            try:
                if listing == "courses":
                    course, offerings = self._parser.course(item, source_url)
                    key = f"course:{course.external_id}"
                    records: list[Record] = [course, *offerings]
                elif listing == "programs":
                    pathway = self._parser.program(item, source_url)
                    key = f"program:{pathway.external_id}"
                    records = [pathway]
                else:
                    withdrawal = self._parser.deleted(item)
                    key = f"deleted:{withdrawal.external_id}"
                    records = [withdrawal]
            except MalformedItem as exc:
                yield Malformed(
                    reason=str(exc),
                    raw=dump_raw(item),
                    key=_safe_key(item),
                    source_url=source_url,
                )
                continue
            if key in seen:
                yield None
                continue
            seen.add(key)
            yield from records


def _split_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    if not cursor:
        return None, None
    listing, _, url = cursor.partition("|")
    return listing, url or None


def _after(listing: str) -> str:
    """The cursor once `listing` is finished: the start of the next one."""
    names = [name for name, _, _ in LISTINGS]
    index = names.index(listing)
    return f"{names[index + 1]}|" if index + 1 < len(names) else DONE


def build(config: SourceConfig, http: HttpClient) -> EdxConnector:
    return EdxConnector(config, http)
