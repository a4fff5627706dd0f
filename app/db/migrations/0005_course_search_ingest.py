"""SQLite's insert trigger on course leaves rows written by the sync engine
(they carry a content hash) to the engine, which indexes them a page at a
time (app/search/sqlite.py says why); PostgreSQL is unchanged."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def install(apps, schema_editor) -> None:
    from app.search.courses import reinstall_search_index

    await reinstall_search_index(schema_editor.client)


async def uninstall(apps, schema_editor) -> None:
    # Back to a trigger for every row: the rows already indexed stay indexed.
    from app.search.courses import per_row_search_index

    await per_row_search_index(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0004_course_search_document")]

    initial = False

    operations = [ops.RunPython(install, uninstall)]
