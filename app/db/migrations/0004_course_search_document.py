"""PostgreSQL's course search reads a stored tsvector column instead of an
expression index (app/search/postgres.py says why); SQLite is unchanged. The
install is idempotent, so this runs it again on databases migrated to 0003."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def install(apps, schema_editor) -> None:
    from app.search.courses import install_search_index

    await install_search_index(schema_editor.client)


async def uninstall(apps, schema_editor) -> None:
    # Drops the search index altogether (on both backends): a database taken
    # back past this migration searches again once migrated forward.
    from app.search.courses import drop_search_index

    await drop_search_index(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0003_course_search")]

    initial = False

    operations = [ops.RunPython(install, uninstall)]
