"""The course full-text index: an FTS5 table with triggers on SQLite, a GIN
expression index on PostgreSQL (app/search/). The DDL differs per dialect, so
this is RunPython choosing it from the connection, not RunSQL."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def install(apps, schema_editor) -> None:
    from app.search.courses import install_search_index

    await install_search_index(schema_editor.client)


async def uninstall(apps, schema_editor) -> None:
    from app.search.courses import drop_search_index

    await drop_search_index(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0002_sync_page")]

    initial = False

    operations = [ops.RunPython(install, uninstall)]
