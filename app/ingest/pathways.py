"""Pathways and programmes: few rows a run, written through the ORM.

They come from the connectors of the next issue (edX programs, CTDL learning
programs and credentials), a few hundred a source, so clarity wins over the
raw-SQL path courses take. Same rules: natural keys, the content hash skips
unchanged rows, a row seen again is reinstated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from tortoise.transactions import in_transaction

from app.db.models.catalogue import Course, Institution, Programme, Provider
from app.db.models.pathways import Pathway, PathwayCourse
from app.ingest.hashing import content_hash
from app.ingest.keys import clip, storage_key
from app.ingest.tally import Tally
from connectors.records import PathwayRecord, ProgrammeRecord

_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(*parts: str) -> str:
    text = "-".join(_SLUG.sub("-", p.casefold()).strip("-") for p in parts)
    return storage_key(text)


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


async def write_pathways(
    source: str, records: Sequence[PathwayRecord], now: datetime
) -> Tally:
    tally = Tally()
    if not records:
        return tally
    async with in_transaction():
        for r in records:
            tally.seen += 1
            provider, _ = await Provider.get_or_create(
                slug=r.provider, defaults={"name": r.provider}
            )
            key = storage_key(r.external_id)
            values = {
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
            row = await Pathway.get_or_none(provider=provider, external_id=key)
            if row is None:
                row = await Pathway.create(
                    provider=provider,
                    external_id=key,
                    slug=_slug(r.provider, r.external_id),
                    first_seen=now,
                    **values,
                )
                tally.created += 1
            elif row.content_hash == values["content_hash"] and not row.withdrawn:
                tally.unchanged += 1
                continue
            else:
                await Pathway.filter(id=row.id).update(**values)
                tally.updated += 1
            await _link_courses(row, provider, r.course_refs)
    return tally


async def _link_courses(
    pathway: Pathway, provider: Provider, refs: Sequence[str]
) -> None:
    await PathwayCourse.filter(pathway=pathway).exclude(course_ref__in=refs).delete()
    for position, ref in enumerate(refs):
        course = await Course.get_or_none(
            provider=provider, external_id=storage_key(ref)
        )
        link = await PathwayCourse.get_or_none(pathway=pathway, course_ref=ref)
        if link is None:
            await PathwayCourse.create(
                pathway=pathway, course=course, course_ref=ref, position=position
            )
        else:
            await PathwayCourse.filter(id=link.id).update(
                course_id=course.id if course else None, position=position
            )


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
            elif row.content_hash == values["content_hash"] and not row.withdrawn:
                tally.unchanged += 1
            else:
                await Programme.filter(id=row.id).update(**values)
                tally.updated += 1
    return tally
