from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('credgraph', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SyncPage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('credgraph.SyncRun', source_field='run_id', db_constraint=True, to_field='id', related_name='committed_pages', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('cursor', fields.CharField(null=True, max_length=1024)),
                ('course_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('offering_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('committed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'sync_page', 'app': 'credgraph', 'unique_together': (('run', 'number'),), 'pk_attr': 'id', 'table_description': 'One committed page of a run: its cursor and the rows it saw.'},
            bases=['Model'],
        ),
    ]
