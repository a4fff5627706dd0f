"""Stackable pathways: a requirement tree over courses that awards a credential."""

from tortoise import fields
from tortoise.models import Model

from app.db.models.provenance import Provenance


class Pathway(Provenance, Model):
    id = fields.IntField(primary_key=True)
    provider = fields.ForeignKeyField(
        "credgraph.Provider",
        related_name="pathways",
        null=True,
        on_delete=fields.CASCADE,
    )
    external_id = fields.CharField(max_length=255)
    slug = fields.CharField(max_length=255, unique=True)
    title = fields.CharField(max_length=512)
    kind = fields.CharField(max_length=64, null=True)  # MicroMasters, XSeries…
    description = fields.TextField(null=True)
    requirement = fields.JSONField(null=True)  # requirement tree (DESIGN.md)
    credits = fields.FloatField(null=True)
    ncrf_level = fields.FloatField(null=True)
    credential_awarded = fields.CharField(max_length=255, null=True)
    url = fields.CharField(max_length=1024, null=True)
    withdrawn = fields.BooleanField(default=False)

    class Meta:
        table = "pathway"
        unique_together = (("provider", "external_id"),)


class PathwayCourse(Model):
    """A course a pathway names. The reference is kept even before (or without)
    the course itself being in the database, so a later sync can link it."""

    id = fields.IntField(primary_key=True)
    pathway = fields.ForeignKeyField(
        "credgraph.Pathway", related_name="course_links", on_delete=fields.CASCADE
    )
    course = fields.ForeignKeyField(
        "credgraph.Course",
        related_name="pathway_links",
        null=True,
        on_delete=fields.SET_NULL,
    )
    course_ref = fields.CharField(max_length=255)
    position = fields.IntField(default=0)
    required = fields.BooleanField(default=True)

    class Meta:
        table = "pathway_course"
        unique_together = (("pathway", "course_ref"),)
