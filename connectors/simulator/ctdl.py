"""The Credential Registry: envelopes of CTDL resources, their events, one by CTID.

    GET /{community}/envelopes?page=&per_page=&include_deleted=true
    GET /{community}/envelopes/events?after=<ISO>&page=&per_page=
    GET /{community}/envelopes/{ctid}?include_deleted=true

Pages carry `Link: <…>; rel="next"` and `Total`, as the Registry's Grape API
does; every request needs `Authorization: Bearer sim-ctdl-key`.

Data: the real CE examples and 2016-era fixtures (`SimConfig.samples`, one
envelope per single-resource file), or a generated registry: one
Organization per institute, a `ceterms:Course` per course (language maps or
2016-style plain strings, CAO or skos:Concept subjects, a `creditValue` in
one of four units, a duration, a cost), a `LearningProgram` with `hasPart`
per five courses and a credential per ten (BachelorOfScienceDegree,
MasterDegree, Certificate) that `requires` the program and some credits, or
else a credential the registry does not hold.

A generation's changed resources are re-published (renamed, `updated_at` and
an `update` event at the time the generation was set); dropped ones get
`deleted_at` and a `destroy` event, and leave listings without
`include_deleted`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from connectors.base import SourceConfig
from connectors.simulator import data
from connectors.simulator._feed import Entry, Item, Listing
from connectors.simulator.server import SimState, respond

PROVIDER = "ctdl"
API_KEY = "sim-ctdl-key"
REGISTRY = "https://sim.credentialengineregistry.org/resources/"
PUBLISHED = "2026-01-01T00:00:00+00:00"
SAMPLE_FILES = (
    "ingest_examples/Organization_1_Organization-1.json",
    "ingest_examples/LearningProgram_1_Course-1a.json",
    "ingest_examples/LearningProgram_1_Course-1b.json",
    "ingest_examples/LearningProgram_1_Course-1c.json",
    "ingest_examples/LearningProgram_1_LearningProgram-1.json",
    "ingest_examples/LearningProgram_2_LearningProgram-2.json",
    "ingest_examples/Credential_1_Credential-1.json",
    "legacy_registry_fixtures/credential__3_import.json",
    "legacy_registry_fixtures/learning_opportunity_profile__3_import.json",
)
# (creditUnit term, value): the units a generated course states, in turn.
CREDIT_UNITS = (
    ("creditUnit:SemesterHour", 3.0),
    ("creditUnit:ECTS", 5.0),
    ("creditUnit:ContactHour", 45.0),
    ("creditUnit:DegreeCredit", 4.0),
)
CREDENTIAL_TYPES = ("BachelorOfScienceDegree", "MasterDegree", "Certificate")


def ctid(seed: int, *parts: object) -> str:
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=16).digest()
    return f"ce-{uuid.UUID(bytes=digest)}"


def _lang(value: str, legacy: bool) -> Any:
    return value if legacy else {"en-US": value}


def _cao(framework: str, node: str, name: str, legacy: bool) -> Item:
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": framework,
        "ceterms:targetNode": node,
        "ceterms:targetNodeName": _lang(name, legacy),
    }


def credit_value(term: str, value: float) -> Item:
    """A creditValue in the shape FORMATS.md §5 gives (no sample carries one)."""
    return {
        "@type": "ceterms:ValueProfile",
        "ceterms:creditUnitType": [
            _cao(
                "https://credreg.net/ctdl/terms/CreditUnit",
                term,
                term.split(":")[1],
                False,
            )
        ],
        "schema:value": value,
    }


def generated(seed: int, size: int) -> list[Item]:
    """Organisations, then courses with a program after every fifth and a
    credential after every tenth."""
    courses = [data.course(i, seed) for i in range(size)]
    institutes = sorted({c.institute for c in courses})
    orgs = {name: ctid(seed, "org", name) for name in institutes}
    out: list[Item] = [
        {
            "@context": "https://credreg.net/ctdl/schema/context/json",
            "@id": REGISTRY + org,
            "@type": "ceterms:Organization",
            "ceterms:ctid": org,
            "ceterms:name": {"en-US": name},
            "ceterms:agentType": [
                _cao("https://credreg.net/ctdl/terms/OrganizationType",
                     "orgType:Postsecondary", "Postsecondary", False)
            ],
            "ceterms:subjectWebpage": f"https://example.org/{org}",
        }
        for name, org in orgs.items()
    ]  # fmt: skip
    programs: list[str] = []
    for course in courses:
        i = course.index
        legacy = i % 4 == 3  # a 2016-era document: plain strings
        org = REGISTRY + orgs[course.institute]
        term, value = CREDIT_UNITS[i % len(CREDIT_UNITS)]
        subject: Item = (
            _cao("Subjects", course.discipline, course.subject, legacy)
            if i % 2
            else {"@type": "skos:Concept", "skos:prefLabel": {"en": course.subject}}
        )
        duration: Item = {"@type": "ceterms:DurationProfile"}
        if i % 3:
            duration["ceterms:exactDuration"] = f"P{course.weeks or 8}W"
        else:
            duration["ceterms:minimumDuration"] = "P4W"
            duration["ceterms:maximumDuration"] = "P12W"
        node_id = ctid(seed, "course", i)
        out.append(
            {
                "@context": "https://credreg.net/ctdl/schema/context/json",
                "@id": REGISTRY + node_id,
                "@type": "ceterms:Course",
                "ceterms:ctid": node_id,
                "ceterms:name": _lang(course.title, legacy),
                "ceterms:description": _lang(course.summary, legacy),
                "ceterms:ownedBy": [org],
                "ceterms:offeredBy": [org],
                "ceterms:inLanguage": ["en"],
                "ceterms:subject": [subject],
                "ceterms:creditValue": [credit_value(term, value)],
                "ceterms:estimatedDuration": [duration],
                "ceterms:estimatedCost": [
                    {
                        "@type": "ceterms:CostProfile",
                        "ceterms:price": float(100 + 25 * (i % 8)),
                        "ceterms:currency": "US Dollar" if legacy else "USD",
                    }
                ],
                "ceterms:deliveryType": [
                    _cao("Delivery", "deliveryType:OnlineOnly", "Online Only", legacy)
                ],
                "ceterms:codedNotation": f"{course.discipline.upper()}{i + 1:04d}",
                "ceterms:subjectWebpage": f"https://example.org/courses/{node_id}",
            }
        )
        if i % 5 == 4:
            j = i // 5
            program = ctid(seed, "program", j)
            programs.append(program)
            out.append(
                {
                    "@context": "https://credreg.net/ctdl/schema/context/json",
                    "@id": REGISTRY + program,
                    "@type": "ceterms:LearningProgram",
                    "ceterms:ctid": program,
                    "ceterms:name": {"en-US": f"Program {j + 1} in {course.subject}"},
                    "ceterms:ownedBy": [org],
                    "ceterms:hasPart": [
                        REGISTRY + ctid(seed, "course", k) for k in range(i - 2, i + 1)
                    ],
                    "ceterms:estimatedDuration": [
                        {"@type": "ceterms:DurationProfile",
                         "ceterms:exactDuration": "P9M"}
                    ],
                }
            )  # fmt: skip
        if i % 10 == 9:
            k = i // 10
            kind = CREDENTIAL_TYPES[k % len(CREDENTIAL_TYPES)]
            credential = ctid(seed, "credential", k)
            missing = ctid(seed, "not-in-registry", k)
            out.append(
                {
                    "@context": "https://credreg.net/ctdl/schema/context/json",
                    "@id": REGISTRY + credential,
                    "@type": f"ceterms:{kind}",
                    "ceterms:ctid": credential,
                    "ceterms:name": {"en-US": f"{kind} {k + 1}", "fr": f"Diplôme {k}"},
                    "ceterms:ownedBy": [org],
                    "ceterms:estimatedDuration": [
                        {
                            "@type": "ceterms:DurationProfile",
                            "ceterms:exactDuration": "P3Y",
                        }
                    ],
                    "ceterms:requires": [
                        {
                            "@type": "ceterms:ConditionProfile",
                            "ceterms:name": {"en-US": "Programme requirements"},
                            "ceterms:targetLearningOpportunity": [
                                REGISTRY + programs[-1]
                            ],
                            "ceterms:creditValue": [
                                credit_value("creditUnit:SemesterHour", 30.0)
                            ],
                            "ceterms:alternativeCondition": [
                                {
                                    "@type": "ceterms:ConditionProfile",
                                    "ceterms:name": {
                                        "en-US": "Holders of a prior award"
                                    },
                                    "ceterms:targetCredential": [REGISTRY + missing],
                                }
                            ],
                        }
                    ],
                }
            )
    return out


def _load_sample(root: Any) -> list[Item]:
    folder = root / "credential_engine_ctdl"
    return [
        json.loads((folder / name).read_text(encoding="utf-8")) for name in SAMPLE_FILES
    ]


def _type(node: Item) -> str:
    kind = node.get("@type")
    return str(kind).rsplit(":", 1)[-1] if kind else ""


class Registry:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.changed_at = PUBLISHED
        self._listing: Listing | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        state.on_change(self._touch)

    @property
    def listing(self) -> Listing:
        # Built on first use: a simulator started for another format pays nothing.
        if self._listing is None:
            config = self.state.config
            if config.samples is not None:
                nodes = _load_sample(config.samples)
            else:
                nodes = generated(config.seed, config.courses)
            self._listing = Listing(
                self.state,
                PROVIDER,
                size=len(nodes),
                render=lambda i: self._envelope(i, nodes[i]),
                change=self._changed,
                broken=_broken,
            )
        return self._listing

    def _touch(self) -> None:
        self.changed_at = datetime.now(UTC).isoformat()
        self._cache.clear()

    def cached(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """Listings, events and the CTID index, built once per generation."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def by_ctid(self, include_deleted: bool) -> dict[str, Item]:
        return self.cached(
            ("by_ctid", include_deleted),
            lambda: {
                e["envelope_ceterms_ctid"]: e for e in self.envelopes(include_deleted)
            },
        )

    def _envelope(self, i: int, node: Item) -> Item:
        resource_ctid = str(node.get("ceterms:ctid", "")).lower()
        return {
            "envelope_community_name": "ce_registry",
            "envelope_id": str(uuid.UUID(int=i + 1)),
            "envelope_ceterms_ctid": resource_ctid,
            "envelope_ctdl_type": f"ceterms:{_type(node)}",
            "envelope_type": "resource_data",
            "resource_format": "json",
            "decoded_resource": node,
            "node_headers": {
                "created_at": PUBLISHED,
                "updated_at": PUBLISHED,
                "deleted_at": None,
            },
            "updated_at": PUBLISHED,
        }

    def _changed(self, envelope: Item, generation: int) -> Item:
        node = envelope["decoded_resource"]
        name = node.get("ceterms:name")
        suffix = f" (revised, generation {generation})"
        if isinstance(name, dict):
            node["ceterms:name"] = {k: f"{v}{suffix}" for k, v in name.items()}
        elif isinstance(name, str):
            node["ceterms:name"] = name + suffix
        envelope["updated_at"] = envelope["node_headers"]["updated_at"] = (
            self.changed_at
        )
        return envelope

    def deleted(self, entry: Entry) -> Item:
        envelope = {**entry.item, "node_headers": dict(entry.item["node_headers"])}
        envelope["node_headers"]["deleted_at"] = self.changed_at
        envelope["deleted_at"] = self.changed_at
        return envelope

    def envelopes(self, include_deleted: bool) -> list[Item]:
        return self.cached(
            ("envelopes", include_deleted), lambda: self._envelopes(include_deleted)
        )

    def _envelopes(self, include_deleted: bool) -> list[Item]:
        out = []
        for entry in self.listing.entries():
            if entry.fate == "drop":
                if include_deleted:
                    out.append(self.deleted(entry))
            else:
                out.append(entry.item)
        return out

    def events(self, after: datetime | None) -> list[Item]:
        return self.cached(("events", after), lambda: self._events(after))

    def _events(self, after: datetime | None) -> list[Item]:
        out = []
        for entry in self.listing.entries():
            resource_ctid = entry.item["envelope_ceterms_ctid"]
            out.append({"envelope_ceterms_ctid": resource_ctid, "event": "create",
                        "created_at": PUBLISHED})  # fmt: skip
            if entry.fate != "keep":
                event = "destroy" if entry.fate == "drop" else "update"
                out.append({"envelope_ceterms_ctid": resource_ctid, "event": event,
                            "created_at": self.changed_at})  # fmt: skip
        if after is not None:
            out = [e for e in out if datetime.fromisoformat(e["created_at"]) > after]
        return sorted(out, key=lambda e: e["created_at"])


def _broken(envelope: Item) -> Item:
    envelope["decoded_resource"].pop("ceterms:name", None)
    return envelope


def _unauthorised(request: web.Request) -> web.Response | None:
    if request.headers.get("Authorization") != f"Bearer {API_KEY}":
        return web.json_response({"errors": ["Invalid token"]}, status=401)
    return None


async def _paged(
    request: web.Request, registry: Registry, items: list[Item], what: str
) -> web.StreamResponse:
    try:
        page = int(request.query.get("page", "1"))
        per_page = min(int(request.query.get("per_page", "10")), 200)
    except ValueError:
        return web.json_response({"errors": ["bad page or per_page"]}, status=400)
    if page < 1 or per_page < 1:
        return web.json_response({"errors": ["bad page or per_page"]}, status=400)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]

    def link(number: int) -> str:
        query = {**request.query, "page": str(number)}
        return f"{request.scheme}://{request.host}{request.path}?{urlencode(query)}"

    last = max(1, -(-len(items) // per_page))
    links = [f'<{link(1)}>; rel="first"', f'<{link(last)}>; rel="last"']
    if start + per_page < len(items):
        links.append(f'<{link(page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{link(page - 1)}>; rel="prev"')
    etag = f'"{registry.state.version(PROVIDER)}-{what}-{request.query_string}"'
    response = await respond(
        request,
        provider=PROVIDER,
        page=page,
        body=lambda: json.dumps(chunk, ensure_ascii=False).encode(),
        etag=etag,
    )
    response.headers["Link"] = ", ".join(links)
    response.headers["Total"] = str(len(items))
    response.headers["Per-Page"] = str(per_page)
    return response


def _handlers(registry: Registry) -> dict[str, Callable[[web.Request], Any]]:
    async def envelopes(request: web.Request) -> web.StreamResponse:
        refused = _unauthorised(request)
        if refused:
            return refused
        include = request.query.get("include_deleted") == "true"
        return await _paged(request, registry, registry.envelopes(include), "envelopes")

    async def events(request: web.Request) -> web.StreamResponse:
        refused = _unauthorised(request)
        if refused:
            return refused
        raw = request.query.get("after")
        try:
            after = datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return web.json_response({"errors": ["after is not a date"]}, status=400)
        return await _paged(request, registry, registry.events(after), "events")

    async def one(request: web.Request) -> web.StreamResponse:
        refused = _unauthorised(request)
        if refused:
            return refused
        wanted = request.match_info["ctid"].lower()
        include = request.query.get("include_deleted") == "true"
        envelope = registry.by_ctid(include).get(wanted)
        if envelope is not None:
            return await respond(
                request,
                provider=PROVIDER,
                page=None,
                body=lambda: json.dumps(envelope, ensure_ascii=False).encode(),
            )
        return web.json_response({"errors": ["Couldn't find Envelope"]}, status=404)

    return {"envelopes": envelopes, "events": events, "one": one}


def register(app: web.Application, state: SimState) -> None:
    registry = Registry(state)
    handlers = _handlers(registry)
    app.router.add_get("/{community}/envelopes", handlers["envelopes"])
    app.router.add_get("/{community}/envelopes/events", handlers["events"])
    app.router.add_get("/{community}/envelopes/{ctid}", handlers["one"])


def source_config(sim_url: str, name: str = PROVIDER, **options: Any) -> SourceConfig:
    """The source that points the CTDL connector at this simulator (bench, demo)."""
    return SourceConfig(name, "ctdl", sim_url, options, {"api_key": API_KEY})
