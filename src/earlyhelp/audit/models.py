"""Append-only, hash-chained audit events.

Each event's hash covers its own fields and the previous event's hash, so altering, deleting or
inserting a row breaks the chain at that point (`manage.py verify_audit_chain`). Rows are never
updated by the application; on PostgreSQL a trigger refuses it in the database too.

The one deletion allowed is pruning events past their retention period in a sealed epoch (P4): `SealedEpoch`
records the cut (the last sequence pruned), and the trail itself gets a signed checkpoint event naming the cut,
the hash at the cut, how many events were pruned and the events below the cut kept because a legal hold covers
them (`EpochHeldEvent`). Verification then starts from the newest checkpoint. On PostgreSQL the trigger allows a
DELETE only of an event at or below the newest sealed cut that the newest epoch does not hold; epochs, like
events, can be neither changed nor deleted.
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
    # The token of the staged event this was chained from (`audit.appends`), covered by the hash when set: a staged
    # event can enter the chain once only.
    staged_as = models.UUIDField(null=True, blank=True, unique=True, editable=False)

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


class StagedAuditEvent(models.Model):
    """An event waiting to be chained: written in its writer's transaction when another writer held the chain's lock,
    and chained (then deleted) as soon as that transaction has committed (`audit.appends`). Its seal, an HMAC under
    the chain key, shows that the application wrote it; its token goes into the chained event."""

    token = models.UUIDField(unique=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    event = models.CharField(max_length=60)
    object_type = models.TextField(blank=True)
    object_ids = models.JSONField(default=list)
    household_id = models.BigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=60)
    source_ip = models.GenericIPAddressField(null=True, blank=True, db_comment="Staff device address")
    route = models.CharField(max_length=100, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    seal = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"staged {self.event}"


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


class AppendOnlyModel(models.Model):
    """A row that can be written once and never changed or deleted by the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit epochs are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit epochs are append-only: they cannot be deleted.")


class SealedEpoch(AppendOnlyModel):
    """Events up to `cut_sequence` pruned at the end of their retention period, except those a legal hold kept.

    Its checkpoint is an audit event (`event = "audit.epoch_seal"`) whose metadata repeats these fields with an
    HMAC signature made with the chain key, which is held outside the database: a row added here by someone with
    only database access (to make the trigger allow a deletion) has no valid checkpoint, and verification fails.
    """

    sealed_at = models.DateTimeField()
    before = models.DateTimeField(help_text="Events that occurred before this moment were due")
    first_sequence = models.PositiveBigIntegerField(help_text="The first sequence in this epoch's range")
    cut_sequence = models.PositiveBigIntegerField(unique=True, help_text="The last sequence pruned (the cut)")
    cut_hash = models.CharField(max_length=64, help_text="The hash of the event at the cut")
    pruned = models.PositiveIntegerField(help_text="Events deleted when this epoch was sealed")
    held = models.PositiveIntegerField(help_text="Events at or below the cut kept because a legal hold covers them")
    checkpoint_sequence = models.PositiveBigIntegerField(unique=True, help_text="The checkpoint event in the trail")
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-cut_sequence"]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_sequence__lte=models.F("cut_sequence")),
                                   name="sealed_epoch_range_in_order"),
            models.CheckConstraint(condition=models.Q(checkpoint_sequence__gt=models.F("cut_sequence")),
                                   name="sealed_epoch_checkpoint_after_cut"),
        ]

    def __str__(self):
        return f"Sealed epoch to #{self.cut_sequence}"

    @property
    def reference(self) -> str:
        return f"AE-{self.pk:05d}"


class EpochHeldEvent(AppendOnlyModel):
    """An event at or below an epoch's cut that a legal hold kept, as it was signed (sequence and hash)."""

    epoch = models.ForeignKey(SealedEpoch, on_delete=models.PROTECT, related_name="held_events")
    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["epoch", "sequence"]
        constraints = [models.UniqueConstraint(fields=["epoch", "sequence"], name="epoch_held_event_once")]

    def __str__(self):
        return f"#{self.sequence} held in {self.epoch}"
