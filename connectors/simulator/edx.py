"""Open edX course-discovery: `/api/v1/courses/`, `/api/v1/programs/`, OAuth2.

Serves the real MIT fixtures (`SimConfig.samples`/openedx_course_discovery)
or generated courses and programs, in DRF page-number pages
(`{"count", "next", "previous", "results"}`, `page`, `page_size`). Every data
request needs `Authorization: JWT <token>` from `POST /oauth2/access_token`
(client credentials `sim-client` / `sim-secret`), as course-discovery does.

- `timestamp=<ISO>` keeps items whose `data_modified_timestamp` (the sample's
  `modified`) is at or after it. Generation 0 is dated 2026-01-01; what a
  later generation changes or deletes is dated when the generation was set,
  so an incremental run after a change sees exactly the changed items.
- Programs a generation drops are listed only with `status=deleted`, with
  `"status": "deleted"`, as tombstones; dropped courses simply vanish.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from connectors.base import SourceConfig
from connectors.simulator import data
from connectors.simulator._feed import Entry, Item, Listing
from connectors.simulator.server import SimState, respond

PROVIDER = "edx"
CLIENT_ID = "sim-client"
CLIENT_SECRET = "sim-secret"
TOKEN_PATH = "/oauth2/access_token"
SAMPLE_DIR = "openedx_course_discovery"
PUBLISHED = "2026-01-01T00:00:00Z"
PROGRAM_TYPES = ("MicroMasters", "XSeries", "Professional Certificate")
LEVELS = ("Introductory", "Intermediate", "Advanced")


class Auth:
    """Tokens this simulator issued; `revoke_all()` makes the next call a 401."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.issued = 0

    def issue(self) -> str:
        token = f"sim-{secrets.token_hex(8)}"
        self.tokens.add(token)
        self.issued += 1
        return token

    def revoke_all(self) -> None:
        self.tokens.clear()

    def allows(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme == "JWT" and token in self.tokens


AUTH = web.AppKey("edx_auth", Auth)


def _org(institute: str) -> str:
    return re.sub(r"[^A-Za-z]", "", institute)[:12] + "X"


def _uuid(*parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest))


def _stamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def course_key(course: data.GenCourse) -> str:
    return (
        f"{_org(course.institute)}+{course.discipline.upper()}{course.index + 1:03d}x"
    )


def generated_course(index: int, seed: int) -> Item:
    course = data.course(index, seed)
    key = course_key(course)
    org = key.split("+", 1)[0]
    number = key.split("+", 1)[1]
    price = ("49.00", "99.00", "149.00", "199.00")[index % 4]
    seats: list[Item] = [
        {"type": "audit", "price": "0.00", "currency": "USD", "credit_provider": None,
         "credit_hours": None, "sku": None},
        {"type": "verified", "price": price, "currency": "USD", "credit_provider": None,
         "credit_hours": None, "sku": f"V{index:06d}"},
    ]  # fmt: skip
    if index % 7 == 0:
        seats.append(
            {"type": "credit", "price": "600.00", "currency": "USD",
             "credit_provider": "asu", "credit_hours": 3, "sku": f"C{index:06d}"}
        )  # fmt: skip
    runs = []
    starts = [course.start] + (
        # A year earlier by days: replace(year=…) fails on 29 February.
        [course.start - timedelta(days=364)] if course.start and index % 3 == 0 else []
    )
    for n, start in enumerate(starts):
        year = start.year if start else course.year
        term = f"{1 if (start and start.month < 7) else 3}T{year}"
        runs.append(
            {
                "key": f"course-v1:{org}+{number}+{term}",
                "uuid": _uuid(seed, "run", index, n),
                "title": course.title,
                "start": _stamp(start),
                "end": _stamp(course.end) if n == 0 else None,
                "enrollment_start": None,
                "enrollment_end": _stamp(course.enrolment_end) if n == 0 else None,
                "pacing_type": "instructor_paced",
                "status": "published",
                "availability": "Current" if n == 0 else "Archived",
                "hidden": False,
                "seats": seats,
                "min_effort": course.hours_per_week,
                "max_effort": course.hours_per_week + 2,
                "weeks_to_complete": course.weeks,
                "content_language": "en-us",
                "marketing_url": f"https://www.edx.org/course/{number.lower()}",
                "staff": [
                    {
                        "given_name": name.split(" ", 1)[0],
                        "family_name": name.split(" ", 1)[-1],
                    }
                    for name in course.instructors
                ],
            }
        )
    return {
        "key": key,
        "uuid": _uuid(seed, "course", index),
        "title": course.title,
        "short_description": course.summary,
        "level_type": LEVELS[index % 3],
        "subjects": [{"name": course.subject, "slug": course.discipline}],
        "owners": [{"key": org, "name": course.institute, "uuid": _uuid(seed, org)}],
        "marketing_url": f"https://www.edx.org/course/{number.lower()}",
        "entitlements": [],
        "modified": PUBLISHED,
        "data_modified_timestamp": PUBLISHED,
        "course_runs": runs,
    }


def _course_stub(index: int, seed: int) -> Item:
    course = generated_course(index, seed)
    return {k: course[k] for k in ("key", "uuid", "title", "owners")}


class EdxData:
    """Both listings, sample or generated, and when the world last changed."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.changed_at = PUBLISHED
        seed = state.config.seed
        sample = _load_sample(state.config.samples)
        if sample is not None:
            course_items, program_items = sample
            self.courses = self._listing(len(course_items), course_items.__getitem__, 0)
            self.programs = self._listing(
                len(program_items), program_items.__getitem__, 1_000_000
            )
        else:
            size = state.config.courses
            self.courses = self._listing(size, lambda i: generated_course(i, seed), 0)
            self.programs = self._listing(
                max(1, size // 5), lambda j: self._program(j), 1_000_000
            )
        # (listing, deleted, since) -> items: one filtering per listing, not
        # one per page (a 50,000-course crawl asks for 500 pages).
        self._items: dict[tuple[str, bool, str | None], list[Item]] = {}
        state.on_change(self._touch)

    def _touch(self) -> None:
        self.changed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        self._items.clear()

    def items(self, listing: str, deleted: bool, since: str | None) -> list[Item]:
        key = (listing, deleted, since)
        if key not in self._items:
            if listing == "courses":
                found = [e.item for e in self.courses.live()]
            elif deleted:
                found = [self.deleted(e) for e in self.programs.dropped()]
            else:
                found = [e.item for e in self.programs.live()]
            if since:
                found = [i for i in found if _after(_modified(i), since)]
            self._items[key] = found
        return self._items[key]

    def _listing(self, size: int, render: Callable[[int], Item], salt: int) -> Listing:
        return Listing(
            self.state,
            PROVIDER,
            size=size,
            render=render,
            change=self._changed,
            broken=_broken,
            salt=salt,
        )

    def _changed(self, item: Item, generation: int) -> Item:
        item["data_modified_timestamp"] = item["modified"] = self.changed_at
        if "course_runs" in item:
            text = item.get("short_description") or ""
            item["short_description"] = f"{text} (revised, generation {generation})"
        else:
            item["title"] = f"{item.get('title')} (revised, generation {generation})"
        return item

    def _program(self, j: int) -> Item:
        seed = self.state.config.seed
        size = self.state.config.courses
        members = [i for i in range(5 * j, 5 * j + 3) if i < size]
        courses = [_course_stub(i, seed) for i in members]
        kind = PROGRAM_TYPES[j % len(PROGRAM_TYPES)]
        return {
            "uuid": _uuid(seed, "program", j),
            "title": f"{kind} in {courses[0]['title'] if courses else 'Everything'}",
            "subtitle": f"{len(courses)} courses",
            "type": kind,
            "type_attrs": {"slug": kind.lower().replace(" ", "-")},
            "status": "active",
            "hidden": False,
            "marketing_url": f"https://www.edx.org/{kind.lower()}/p{j}".replace(
                " ", "-"
            ),
            "courses": courses,
            "authoring_organizations": courses[0]["owners"] if courses else [],
            "data_modified_timestamp": PUBLISHED,
        }

    def deleted(self, entry: Entry) -> Item:
        return {
            **entry.item,
            "status": "deleted",
            "data_modified_timestamp": self.changed_at,
        }


def _broken(item: Item) -> Item:
    item["title"] = None
    return item


def _load_sample(root: Path | None) -> tuple[list[Item], list[Item]] | None:
    if root is None:
        return None
    folder = root / SAMPLE_DIR
    courses: dict[str, Item] = {}
    for name in (
        "mitlearn_test_mitx_course.json",
        "mitlearn_test_non_mitx_course.json",
    ):
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        for item in doc["results"]:
            courses.setdefault(item["key"], item)
    programs = json.loads(
        (folder / "mitlearn_test_mitx_programs.json").read_text(encoding="utf-8")
    )
    return list(courses.values()), list(programs)


def _modified(item: Item) -> str:
    return str(item.get("data_modified_timestamp") or item.get("modified") or PUBLISHED)


def _after(stamp: str, since: str | None) -> bool:
    if not since:
        return True
    return datetime.fromisoformat(stamp) >= datetime.fromisoformat(since)


def _page_body(request: web.Request, items: list[Item], page: int, size: int) -> bytes:
    start = (page - 1) * size
    chunk = items[start : start + size]

    def link(number: int) -> str:
        query = dict(request.query)
        query["page"] = str(number)
        return f"{request.scheme}://{request.host}{request.path}?{urlencode(query)}"

    doc = {
        "count": len(items),
        "next": link(page + 1) if start + size < len(items) else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": chunk,
    }
    return json.dumps(doc, ensure_ascii=False).encode()


def _handler(feed: EdxData, listing: str) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.StreamResponse:
        if not request.app[AUTH].allows(request):
            return web.json_response(
                {"detail": "Authentication credentials were not provided."}, status=401
            )
        try:
            page = int(request.query.get("page", "1"))
            size = min(
                int(request.query.get("page_size", "20")),
                feed.state.config.max_page_size,
            )
            since = request.query.get("timestamp")
            if since:
                datetime.fromisoformat(since)
        except ValueError:
            return web.json_response(
                {"detail": "bad page, page_size or timestamp"}, status=400
            )
        deleted = listing == "programs" and request.query.get("status") == "deleted"
        items = feed.items(listing, deleted, since)
        if page < 1 or (page > 1 and (page - 1) * size >= len(items)):
            return web.json_response({"detail": "Invalid page."}, status=404)
        etag = f'"{feed.state.version(PROVIDER)}-{listing}-{request.query_string}"'
        return await respond(
            request,
            provider=PROVIDER,
            page=page,
            body=lambda: _page_body(request, items, page, size),
            etag=etag,
        )

    return handle


async def _token(request: web.Request) -> web.Response:
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return web.json_response({"error": "unsupported_grant_type"}, status=400)
    if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
        return web.json_response({"error": "invalid_client"}, status=401)
    token = request.app[AUTH].issue()
    kind = "JWT" if form.get("token_type") == "jwt" else "Bearer"
    return web.json_response(
        {"access_token": token, "token_type": kind, "expires_in": 3600, "scope": "read"}
    )


def register(app: web.Application, state: SimState) -> None:
    feed = EdxData(state)
    app[AUTH] = Auth()
    app.router.add_post(TOKEN_PATH, _token)
    app.router.add_get("/api/v1/courses/", _handler(feed, "courses"))
    app.router.add_get("/api/v1/programs/", _handler(feed, "programs"))


def source_config(sim_url: str, name: str = PROVIDER, **options: Any) -> SourceConfig:
    """The source that points the edX connector at this simulator (bench, demo)."""
    return SourceConfig(
        name,
        "edx",
        sim_url,
        {"token_url": sim_url + TOKEN_PATH, "client_id": CLIENT_ID, **options},
        {"client_secret": CLIENT_SECRET},
    )
