"""PostgreSQL drops the foreign key from `offering.provider_id` to `provider`.

It checks nothing the offering's course does not: the sync takes an
offering's course by (provider, course key), so the two providers are the
same, and deleting a provider still cascades through its courses to their
offerings. The check cost a lookup in `provider` for every offering written
(measured: COPY of 50,000 SWAYAM offerings 0.80 -> 0.67 s). The column, its
unique key with `external_id` and the model's relation stay. SQLite keeps the
constraint: dropping one there rebuilds the table.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

CONSTRAINTS = """
SELECT c.conname FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.conrelid = 'offering'::regclass AND c.contype = 'f'
  AND a.attname = 'provider_id'
"""


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        return
    for row in await client.execute_query_dict(CONSTRAINTS):
        await client.execute_script(
            f'ALTER TABLE "offering" DROP CONSTRAINT "{row["conname"]}"'
        )


async def restore(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        return
    if not await client.execute_query_dict(CONSTRAINTS):
        await client.execute_script(
            'ALTER TABLE "offering" ADD CONSTRAINT "offering_provider_id_fkey" '
            'FOREIGN KEY ("provider_id") REFERENCES "provider" ("id") '
            "ON DELETE CASCADE"
        )


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0007_offering_raw_digest")]

    initial = False

    operations = [ops.RunPython(drop, restore)]
