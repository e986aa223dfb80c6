"""Append-only, hash-chained audit events.

Each event's hash covers its own fields and the previous event's hash, so altering, deleting or
inserting a row breaks the chain at that point (`manage.py verify_audit_chain`). Rows are never
updated or deleted by the application; on PostgreSQL a trigger refuses it in the database too.
"""

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    DENIED = "denied", "Access refused"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SESSION_EXPIRED = "session_expired", "Session expired"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise PermissionError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # A stable name for what happened, e.g. "household.view", "episode.close".
    event = models.CharField(max_length=60)
    # What each id in object_ids is, as "app_label.model": named once when every id is of one type, otherwise one
    # type per id in the same order ("matching.sourcerecord,people.person" for ids [12, 7]); never cut short, so
    # a subject access pack finds every event naming the person or a record of theirs (`services.objects_named`).
    # Events written before 2026-12 hold the sorted set of types, at most 40 characters.
    object_type = models.TextField(blank=True)
    object_ids = models.JSONField(default=list, help_text="Record ids only, never names or other content")
    # Denormalised so "who has viewed this family" is one indexed query.
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purpose = models.CharField(max_length=60)
    source_ip = models.GenericIPAddressField(null=True, blank=True, db_comment="Staff device address")
    route = models.CharField(max_length=100, blank=True, help_text="URL name, never the path or query")
    metadata = models.JSONField(default=dict, blank=True, help_text="Ids, counts and codes only")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["household_id", "action", "occurred_at"], name="audit_household_action")]

    def __str__(self):
        return f"#{self.sequence} {self.event}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only: they cannot be deleted.")


class Purpose(models.TextChoices):
    """Why personal data was processed. The privacy core turns these into the processing register."""

    EARLY_HELP_CASEWORK = "early_help_casework", "Early help casework"
    DUPLICATE_CHECK = "duplicate_check", "Checking for existing records before creating new ones"
    ACCESS_OVERSIGHT = "access_oversight", "Oversight of who has accessed records"
    SYSTEM_SECURITY = "system_security", "Keeping the system secure"
    API_ACCESS = "api_access", "Partner system access through the API"
    RIGHTS_REQUESTS = "rights_requests", "Handling data protection requests"
    DATA_MATCHING = "data_matching", "Finding families who may need help by matching partner data"
    SUPPORTING_FAMILIES_RETURNS = "supporting_families_returns", "Supporting Families programme returns and claims"
    NATIONAL_IMPACT_STUDY = "national_impact_study", "Supporting Families National Impact Study"
    RESEARCH = "research", "Research into how well support works"
    STATISTICS = "statistics", "Statistics and planning services"
