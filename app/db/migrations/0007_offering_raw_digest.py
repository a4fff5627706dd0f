"""`offering.raw_digest`: the fingerprint of the payload a row was last
confirmed from, so an unchanged SWAYAM node is not parsed again (see
connectors.base.Known). Null until a sync writes it."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("credgraph", "0006_raw_payload_json")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Offering",
            name="raw_digest",
            field=fields.BigIntField(null=True),
        ),
    ]
