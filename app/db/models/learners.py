"""Learners and what they earned: credentials, the credit ledger, awards.

Balances are derived from ledger rows, never stored alone (ABC regs 8.7:
the history of deposits and debits is the record).
"""

from tortoise import fields
from tortoise.models import Model

CREDENTIAL_KINDS = ("course_certificate", "micro_credential", "badge", "degree")
LEDGER_KINDS = ("deposit", "debit")


class Learner(Model):
    id = fields.IntField(primary_key=True)
    apaar_id = fields.CharField(max_length=12, unique=True)  # 12 digits
    abc_account_id = fields.CharField(max_length=64, null=True)
    name = fields.CharField(max_length=255, null=True)
    email = fields.CharField(max_length=255, null=True)
    home_institution = fields.ForeignKeyField(
        "credgraph.Institution",
        related_name="learners",
        null=True,
        on_delete=fields.SET_NULL,
    )
    marks_percent_sem1_6 = fields.FloatField(null=True)
    cgpa = fields.FloatField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    erased_at = fields.DatetimeField(null=True)

    class Meta:
        table = "learner"


class Credential(Model):
    id = fields.IntField(primary_key=True)
    learner = fields.ForeignKeyField(
        "credgraph.Learner", related_name="credentials", on_delete=fields.CASCADE
    )
    course = fields.ForeignKeyField(
        "credgraph.Course",
        related_name="credentials",
        null=True,
        on_delete=fields.SET_NULL,
    )
    course_match_reason = fields.CharField(max_length=255, null=True)
    issuer = fields.ForeignKeyField(
        "credgraph.Provider",
        related_name="issued",
        null=True,
        on_delete=fields.SET_NULL,
    )
    issuer_name = fields.CharField(max_length=255, null=True)
    issuer_registered = fields.BooleanField(default=False)
    kind = fields.CharField(max_length=32, default="course_certificate")
    title = fields.CharField(max_length=512)
    earned_on = fields.DateField(db_index=True)
    score = fields.FloatField(null=True)
    scores = fields.JSONField(null=True)  # assignment/exam parts (R-NPTEL-PASS)
    grade = fields.CharField(max_length=32, null=True)
    credits = fields.FloatField(null=True)
    credits_source = fields.CharField(max_length=32, null=True)
    ncrf_level = fields.FloatField(null=True)
    category = fields.CharField(max_length=32, null=True)
    also_counts_as = fields.JSONField(default=list)
    semester = fields.CharField(max_length=16, null=True)  # "1".."8" or "summer"
    certificate = fields.BooleanField(
        null=True
    )  # host institution's graded certificate
    evidence_url = fields.CharField(max_length=1024, null=True)
    format = fields.CharField(max_length=32, null=True)  # ob2-signed, ob3-vc2, manual…
    document = fields.JSONField(null=True)  # the raw credential as received
    verification_status = fields.CharField(max_length=16, default="unverified")
    verification = fields.JSONField(null=True)
    verified_at = fields.DatetimeField(null=True)
    # SHA-256 of the canonical credential: forbids a double deposit.
    fingerprint = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credential"
        indexes = (("learner_id", "earned_on"),)


class Award(Model):
    """A programme or pathway redeemed by a learner, with the policy that decided it."""

    id = fields.IntField(primary_key=True)
    learner = fields.ForeignKeyField(
        "credgraph.Learner", related_name="awards", on_delete=fields.CASCADE
    )
    programme = fields.ForeignKeyField(
        "credgraph.Programme",
        related_name="awards",
        null=True,
        on_delete=fields.SET_NULL,
    )
    pathway = fields.ForeignKeyField(
        "credgraph.Pathway", related_name="awards", null=True, on_delete=fields.SET_NULL
    )
    award_code = fields.CharField(max_length=64)  # ug_certificate, a pathway slug…
    title = fields.CharField(max_length=512)
    policy_name = fields.CharField(max_length=64)
    policy_version = fields.CharField(max_length=32)
    policy_overrides = fields.JSONField(default=dict)
    as_of = fields.DateField()
    result = fields.JSONField(null=True)  # the explanation it was decided on
    decided_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "award"


class LedgerEntry(Model):
    """An ABC-style deposit or debit. One of each per credential at most: the
    unique pair is what refuses a second redemption, even under concurrency."""

    id = fields.IntField(primary_key=True)
    learner = fields.ForeignKeyField(
        "credgraph.Learner", related_name="ledger", on_delete=fields.CASCADE
    )
    credential = fields.ForeignKeyField(
        "credgraph.Credential", related_name="ledger", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # deposit | debit
    # Exact decimals: ledger arithmetic is summed, never filtered or sorted.
    credits = fields.DecimalField(max_digits=8, decimal_places=2)
    award = fields.ForeignKeyField(
        "credgraph.Award", related_name="debits", null=True, on_delete=fields.RESTRICT
    )
    note = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_entry"
        unique_together = (("credential", "kind"),)


class AccessLog(Model):
    """Every read of a learner's record by someone other than the learner."""

    id = fields.IntField(primary_key=True)
    learner = fields.ForeignKeyField(
        "credgraph.Learner", related_name="access_log", on_delete=fields.CASCADE
    )
    actor_role = fields.CharField(max_length=32)
    actor_subject = fields.CharField(max_length=128)
    what = fields.CharField(max_length=255)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "access_log"
