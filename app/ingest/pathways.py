"""Pathways and programmes: a few hundred rows a source, written through the
ORM but in batches, like the course upserts: one read of the page's stored
rows, unchanged ones (same content hash, not withdrawn) cost no write, new
ones are inserted together, and the course links of the pathways written are
replaced in two statements. Natural keys; a row seen again is reinstated.
The page's writes are one transaction, so a killed run replays it whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from app.db.models.catalogue import Course, Institution, Programme, Provider
from app.db.models.pathways import Pathway, PathwayCourse
from app.ingest.hashing import content_hash, matches
from app.ingest.tally import Tally
from connectors.keys import clip, storage_key
from connectors.records import PathwayRecord, ProgrammeRecord

_SLUG = re.compile(r"[^a-z0-9]+")
_CHUNK = 500  # keys per IN list (SQLite's bound-variable limit)


def _slug(*parts: str) -> str:
    text = "-".join(_SLUG.sub("-", p.casefold()).strip("-") for p in parts)
    return storage_key(text)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _provenance(source: str, record: PathwayRecord | ProgrammeRecord, now: datetime):
    return {
        "source": source,
        "source_url": clip(record.source_url, 1024),
        "content_hash": content_hash(record),
        "raw_payload": record.raw,
        "last_changed": now,
        "withdrawn": False,
        "withdrawn_at": None,
    }


def _pathway_values(source: str, r: PathwayRecord, now: datetime) -> dict[str, Any]:
    return {
        "title": clip(r.title, 512),
        "kind": clip(r.kind, 64),
        "description": r.description,
        "requirement": r.requirement,
        "credits": r.credits,
        "ncrf_level": r.ncrf_level,
        "credential_awarded": clip(r.credential_awarded, 255),
        "url": clip(r.url, 1024),
        **_provenance(source, r, now),
    }


async def _provider_ids(slugs: set[str]) -> dict[str, int]:
    found = dict(
        await Provider.filter(slug__in=sorted(slugs)).values_list("slug", "id")
    )
    for slug in slugs - set(found):  # rare: a provider no record announced
        provider, _ = await Provider.get_or_create(slug=slug, defaults={"name": slug})
        found[slug] = provider.id
    return found


async def _stored_pathways(
    keys: Sequence[tuple[int, str]],
) -> dict[tuple[int, str], dict[str, Any]]:
    stored: dict[tuple[int, str], dict[str, Any]] = {}
    for chunk in _chunks(keys):
        rows = await Pathway.filter(
            provider_id__in=sorted({k[0] for k in chunk}),
            external_id__in=[k[1] for k in chunk],
        ).values("id", "provider_id", "external_id", "content_hash", "withdrawn")
        for row in rows:
            stored[(row["provider_id"], row["external_id"])] = row
    return stored


async def write_pathways(
    source: str, records: Sequence[PathwayRecord], now: datetime
) -> Tally:
    tally = Tally()
    if not records:
        return tally
    # A pathway listed twice in a page: the last one counts.
    batch = {(r.provider, storage_key(r.external_id)): r for r in records}
    tally.seen = len(batch)
    async with in_transaction():
        providers = await _provider_ids({slug for slug, _ in batch})
        keyed = {(providers[slug], key): r for (slug, key), r in batch.items()}
        stored = await _stored_pathways(list(keyed))
        new: list[Pathway] = []
        written: dict[tuple[int, str], PathwayRecord] = {}
        for (provider_id, key), r in keyed.items():
            values = _pathway_values(source, r, now)
            old = stored.get((provider_id, key))
            if old is None:
                new.append(
                    Pathway(
                        provider_id=provider_id,
                        external_id=key,
                        slug=_slug(r.provider, r.external_id),
                        first_seen=now,
                        **values,
                    )
                )
                tally.created += 1
            elif not old["withdrawn"] and matches(
                old["content_hash"], r, values["content_hash"]
            ):
                tally.unchanged += 1
                if old["content_hash"] != values["content_hash"]:
                    await Pathway.filter(id=old["id"]).update(
                        content_hash=values["content_hash"]
                    )
                continue
            else:
                # Changed rows are few after the first sync: one UPDATE each.
                await Pathway.filter(id=old["id"]).update(**values)
                tally.updated += 1
            written[(provider_id, key)] = r
        if new:
            await Pathway.bulk_create(new, batch_size=_CHUNK)
        if written:
            ids = await _stored_pathways(list(written))
            await _link_courses(
                {ids[key]["id"]: (key[0], r.course_refs) for key, r in written.items()}
            )
    return tally


async def _link_courses(pathways: dict[int, tuple[int, Sequence[str]]]) -> None:
    """Replace the course links of these pathways (id -> provider, refs); a
    reference to a course not (yet) stored is kept, unlinked."""
    ids = sorted(pathways)
    for chunk in _chunks(ids):
        await PathwayCourse.filter(pathway_id__in=list(chunk)).delete()
    wanted = sorted(
        {(pid, storage_key(ref)) for pid, refs in pathways.values() for ref in refs}
    )
    courses: dict[tuple[int, str], int] = {}
    for chunk in _chunks(wanted):
        rows = await Course.filter(
            provider_id__in=sorted({k[0] for k in chunk}),
            external_id__in=[k[1] for k in chunk],
        ).values_list("id", "provider_id", "external_id")
        courses.update({(pid, ext): cid for cid, pid, ext in rows})
    links = []
    for pathway_id, (provider_id, refs) in pathways.items():
        # A ref named twice keeps its last position (one link per ref).
        positions = {ref: position for position, ref in enumerate(refs)}
        links.extend(
            PathwayCourse(
                pathway_id=pathway_id,
                course_id=courses.get((provider_id, storage_key(ref))),
                course_ref=ref,
                position=position,
            )
            for ref, position in positions.items()
        )
    if links:
        await PathwayCourse.bulk_create(links, batch_size=_CHUNK)


async def write_programmes(
    source: str, records: Sequence[ProgrammeRecord], now: datetime
) -> Tally:
    tally = Tally()
    if not records:
        return tally
    async with in_transaction():
        for r in records:
            tally.seen += 1
            institution, _ = await Institution.get_or_create(
                slug=r.institution, defaults={"name": clip(r.institution_name, 255)}
            )
            key = storage_key(r.external_id)
            values = {
                "name": clip(r.name, 255),
                "award_kind": clip(r.award_kind, 64),
                "requirement": r.requirement,
                "credits": r.credits,
                "ncrf_level": r.ncrf_level,
                "duration_years": r.duration_years,
                "url": clip(r.url, 1024),
                **_provenance(source, r, now),
            }
            row = await Programme.get_or_none(institution=institution, external_id=key)
            if row is None:
                await Programme.create(
                    institution=institution, external_id=key, first_seen=now, **values
                )
                tally.created += 1
            elif not row.withdrawn and matches(
                row.content_hash, r, values["content_hash"]
            ):
                tally.unchanged += 1
                if row.content_hash != values["content_hash"]:
                    await Programme.filter(id=row.id).update(
                        content_hash=values["content_hash"]
                    )
            else:
                await Programme.filter(id=row.id).update(**values)
                tally.updated += 1
    return tally
