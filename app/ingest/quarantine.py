"""Records a run could not take: kept with the reason and the raw text.

A malformed record never stops a run; it is written in the same transaction
as the page it came with, so a resumed run neither loses nor repeats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.ingest.backend import Tx
from connectors.keys import clip
from connectors.records import Malformed

INSERT = (
    'INSERT INTO "quarantined_record" ("run_id", "source", "record_key", "reason", '
    '"raw_text", "source_url", "created_at") VALUES (?, ?, ?, ?, ?, ?, ?)'
)


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; the raw text is evidence, not data.
    return value.replace("\x00", "\\u0000")


async def quarantine(
    tx: Tx, run_id: int, source: str, records: Sequence[Malformed], now: datetime
) -> int:
    await tx.executemany(
        INSERT,
        [
            (
                run_id,
                source,
                clip(m.key, 255),
                _text(m.reason),
                _text(m.raw),
                clip(m.source_url, 1024),
                now,
            )
            for m in records
        ],
    )
    return len(records)
