"""PostgreSQL indexes only the rows a filter can find.

Every catalogue filter on a nullable column is a comparison (`credits >=`,
`language IN`, `min_fee_minor <=`…), which no NULL passes, and PostgreSQL's
planner proves `column IS NOT NULL` from such a clause; sorting never reads
these indexes (app/graphql/catalogue/ordering.py sorts by COALESCE). So each
of them holds its non-null rows only, and `withdrawn` its withdrawn rows only
(`NOT withdrawn` matches nearly every row: the planner scans for it anyway).
A row with the column empty then costs no index entry: SWAYAM states no
level, hours, language or fee, so a first sync of 50,000 of its courses
writes 250,000 fewer entries.

SQLite keeps full indexes. Its planner would use partial ones for these
filters too (SQLite 3.40, checked with EXPLAIN QUERY PLAN), but they did not
speed its sync (50k first syncs, four pairs: 15.5k against 15.8k courses/s,
within noise: that sync is bound by Python), and its withdrawal walks the
full `withdrawn` index (app/ingest/withdrawal.py).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

# (table, column, the rows its index keeps)
PARTIAL = (
    ("course", "ncrf_level", '"ncrf_level" IS NOT NULL'),
    ("course", "notional_hours", '"notional_hours" IS NOT NULL'),
    ("course", "credits", '"credits" IS NOT NULL'),
    ("course", "language", '"language" IS NOT NULL'),
    ("course", "coordinator", '"coordinator" IS NOT NULL'),
    ("course", "next_start", '"next_start" IS NOT NULL'),
    ("course", "min_fee_minor", '"min_fee_minor" IS NOT NULL'),
    ("course", "withdrawn", '"withdrawn"'),
    ("offering", "fee_minor", '"fee_minor" IS NOT NULL'),
)

# The single-column, non-unique index on a column (named by Tortoise).
INDEX_OF = """
SELECT i.relname AS name FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
WHERE x.indrelid = $1::regclass AND x.indnatts = 1 AND NOT x.indisunique
  AND a.attname = $2
"""


async def _rebuild(schema_editor, partial: bool) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        return
    for table, column, rows in PARTIAL:
        for found in await client.execute_query_dict(INDEX_OF, [table, column]):
            name = found["name"]
            where = f" WHERE {rows}" if partial else ""
            await client.execute_script(
                f'DROP INDEX "{name}"; '
                f'CREATE INDEX "{name}" ON "{table}" ("{column}"){where}'
            )


async def to_partial(apps, schema_editor) -> None:
    await _rebuild(schema_editor, partial=True)


async def to_full(apps, schema_editor) -> None:
    await _rebuild(schema_editor, partial=False)


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0008_offering_provider_no_fk")]

    initial = False

    operations = [ops.RunPython(to_partial, to_full)]
