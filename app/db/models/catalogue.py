"""The public catalogue: providers, courses, offerings, equivalence, institutions.

Filtered and sorted numbers are stored as integers or floats, never as
DecimalField: on SQLite Tortoise stores decimals as text, so an index on them
is never used and keyset comparisons would compare strings (TECH-NOTES §3.17).
Money is in minor units (paise, cents).
"""

from tortoise import fields
from tortoise.models import Model

from app.db.models.provenance import Provenance

PROVIDER_KINDS = (
    "national_coordinator",
    "university",
    "platform",
    "badge_issuer",
    "institution",
)
MODES = ("online", "blended", "in_person")
CREDIT_SOURCES = ("stated", "derived", "policy")


class Provider(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    kind = fields.CharField(max_length=32, default="platform")
    country = fields.CharField(max_length=2, null=True)
    url = fields.CharField(max_length=512, null=True)
    abc_registered = fields.BooleanField(default=False)
    swayam = fields.BooleanField(default=False)  # a SWAYAM national coordinator
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "provider"


class EquivalenceGroup(Model):
    """Courses that are the same course seen through different providers."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    # An operator's decision (join/split) is kept: later syncs do not undo it.
    pinned = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "equivalence_group"


class Course(Provenance, Model):
    id = fields.IntField(primary_key=True)
    provider = fields.ForeignKeyField(
        "credgraph.Provider", related_name="courses", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=255)
    title = fields.CharField(max_length=512)
    description = fields.TextField(null=True)
    subjects = fields.JSONField(default=list)
    ncrf_level = fields.FloatField(null=True, db_index=True)
    level_label = fields.CharField(max_length=64, null=True)
    notional_hours = fields.FloatField(null=True, db_index=True)
    contact_hours = fields.FloatField(null=True)
    weeks = fields.IntField(null=True)
    hours_per_week = fields.FloatField(null=True)
    workload_text = fields.CharField(max_length=255, null=True)
    credits = fields.FloatField(null=True, db_index=True)
    credit_source = fields.CharField(max_length=16, null=True)
    credit_unit = fields.CharField(max_length=16, null=True)
    language = fields.CharField(max_length=32, null=True, db_index=True)
    languages = fields.JSONField(default=list)
    mode = fields.CharField(max_length=16, default="online", db_index=True)
    url = fields.CharField(max_length=1024, null=True)
    institute = fields.CharField(max_length=255, null=True)
    instructors = fields.JSONField(default=list)
    coordinator = fields.CharField(max_length=32, null=True, db_index=True)
    has_certificate = fields.BooleanField(null=True)
    identifiers = fields.JSONField(default=list)
    # Denormalised from offerings so filters and sorts need no join.
    next_start = fields.DateField(null=True, db_index=True)
    min_fee_minor = fields.IntField(null=True, db_index=True)
    fee_currency = fields.CharField(max_length=3, null=True)
    has_exam = fields.BooleanField(null=True)
    equivalence_group = fields.ForeignKeyField(
        "credgraph.EquivalenceGroup",
        related_name="courses",
        null=True,
        on_delete=fields.SET_NULL,
    )
    equivalence_reason = fields.CharField(max_length=255, null=True)
    withdrawn = fields.BooleanField(default=False, db_index=True)

    class Meta:
        table = "course"
        unique_together = (("provider", "external_id"),)
        indexes = (("provider_id", "title"), ("title", "id"))


class Offering(Provenance, Model):
    """One run of a course (a SWAYAM cycle slug, an edX course run)."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField(
        "credgraph.Course", related_name="offerings", on_delete=fields.CASCADE
    )
    provider = fields.ForeignKeyField(
        "credgraph.Provider", related_name="offerings", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=255)
    start = fields.DateField(null=True, db_index=True)
    end = fields.DateField(null=True)
    enrolment_end = fields.DateField(null=True)
    exam_date = fields.DateField(null=True)
    fee_minor = fields.IntField(null=True, db_index=True)
    currency = fields.CharField(max_length=3, null=True)
    mode = fields.CharField(max_length=16, null=True)
    language = fields.CharField(max_length=32, null=True)
    status = fields.CharField(max_length=32, null=True)
    url = fields.CharField(max_length=1024, null=True)
    has_exam = fields.BooleanField(null=True)
    withdrawn = fields.BooleanField(default=False)
    # The fingerprint of the payload (and parser) the row was last confirmed
    # from, for connectors that skip unchanged payloads without parsing
    # them (connectors.base.Known); null for the others.
    raw_digest = fields.BigIntField(null=True)

    class Meta:
        table = "offering"
        unique_together = (("provider", "external_id"),)
        indexes = (("course_id", "start"),)


class EquivalenceDecision(Model):
    """Why a course is in its group: matcher evidence or an operator's act."""

    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField(
        "credgraph.EquivalenceGroup",
        related_name="decisions",
        on_delete=fields.CASCADE,
    )
    course = fields.ForeignKeyField(
        "credgraph.Course",
        related_name="equivalence_decisions",
        on_delete=fields.CASCADE,
    )
    action = fields.CharField(max_length=16)  # matched | joined | split
    reason = fields.CharField(max_length=512)
    actor = fields.CharField(max_length=128, default="matcher")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "equivalence_decision"


class Institution(Model):
    """A higher-education institution that grants programmes (AISHE code)."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    aishe_code = fields.CharField(max_length=32, null=True, unique=True)
    abc_registered = fields.BooleanField(default=False)
    provider = fields.ForeignKeyField(
        "credgraph.Provider",
        related_name="institutions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "institution"


class Programme(Provenance, Model):
    """An award an institution grants, with its requirement tree and policy."""

    id = fields.IntField(primary_key=True)
    institution = fields.ForeignKeyField(
        "credgraph.Institution", related_name="programmes", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=255)
    name = fields.CharField(max_length=255)
    award_kind = fields.CharField(max_length=64, default="custom")
    requirement = fields.JSONField(null=True)
    policy_name = fields.CharField(max_length=64, default="ugc-2023")
    policy_overrides = fields.JSONField(default=dict)
    credits = fields.FloatField(null=True)
    ncrf_level = fields.FloatField(null=True)
    duration_years = fields.FloatField(null=True)
    url = fields.CharField(max_length=1024, null=True)
    withdrawn = fields.BooleanField(default=False)

    class Meta:
        table = "programme"
        unique_together = (("institution", "external_id"),)
