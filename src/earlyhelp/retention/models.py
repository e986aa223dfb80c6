"""Retention and disposal: rules as data, legal holds, sweeps, disposal batches and certificates (P4, P20).

A `RetentionRule` says how long a class of records is kept ("CASE+6": a family's early help case records,
6 years after the last episode closed). A daily sweep (`sweep.run_sweep`) lists the families each active
rule makes due in a `DisposalBatch`, leaving out families under a `LegalHold`. A named person (the DPO)
approves or rejects each batch with a reason (P13); disposal then checks the holds again and, for families
still due and not held, calls the disposal engine (`earlyhelp.retention.services.erasure`). Each disposal leaves
a `DisposalCertificate`, which names no person and no family.

Rows here never hold the content of a family's records: candidates link a batch to a family by id, and a
hold's free-text reason is the only personal data (classified in `privacy.classification`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from earlyhelp import jobs

from earlyhelp.privacy.models import Suggestion, SuggestionKind
from earlyhelp.records.text import FreeTextField, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL

MAX_PERIOD_YEARS = 100


class RecordClass(models.TextChoices):
    FAMILY_CASE_RECORDS = "family_case_records", "Early help case records of a family (with their documents)"
    CONTACTS_WITHOUT_EPISODE = "contacts_without_episode", "Contacts that did not lead to an episode"
    # Record classes that are not a family's records: each row is timed on its own (issue 13, P4).
    AUDIT_EVENTS = "audit_events", "Audit trail entries"
    RIGHTS_REQUESTS = "rights_requests", "Data protection requests"
    EXPORT_FILES = "export_files", "Research extracts and National Impact Study files"
    PARTNER_FILES = "partner_files", "Partner files for data matching (records that led to nobody)"
    PROGRAMME_CLAIMS = "programme_claims", "Supporting Families returns and the evidence for claims"


# The record classes made of a family's records: the sweep proposes families. The others propose rows (or, for the
# audit trail, an epoch to prune).
FAMILY_CLASSES = (RecordClass.FAMILY_CASE_RECORDS, RecordClass.CONTACTS_WITHOUT_EPISODE)


class Trigger(models.TextChoices):
    EPISODE_CLOSURE = "episode_closure", "Closure of the family's last episode"
    DATE_OF_BIRTH = "date_of_birth", "The youngest child's date of birth"
    LAST_ACTIVITY = "last_activity", "The family's last activity"
    ENTRY_WRITTEN = "entry_written", "The day the entry was written"
    REQUEST_CLOSED = "request_closed", "The day the request was closed"
    FILE_SENT = "file_sent", "The day the file was made to be sent"
    FILE_RECEIVED = "file_received", "The day the partner sent the file"
    RETURN_SENT = "return_sent", "The day the return was sent"


class RuleAction(models.TextChoices):
    REVIEW = "review", "Review"
    DESTROY = "destroy", "Destroy"
    ANONYMISE = "anonymise", "Anonymise"


# Record classes that have no episode cannot be timed from an episode's closure.
TRIGGERS_FOR_CLASS = {
    RecordClass.FAMILY_CASE_RECORDS: {Trigger.EPISODE_CLOSURE, Trigger.DATE_OF_BIRTH, Trigger.LAST_ACTIVITY},
    RecordClass.CONTACTS_WITHOUT_EPISODE: {Trigger.DATE_OF_BIRTH, Trigger.LAST_ACTIVITY},
    RecordClass.AUDIT_EVENTS: {Trigger.ENTRY_WRITTEN},
    RecordClass.RIGHTS_REQUESTS: {Trigger.REQUEST_CLOSED},
    RecordClass.EXPORT_FILES: {Trigger.FILE_SENT},
    RecordClass.PARTNER_FILES: {Trigger.FILE_RECEIVED},
    RecordClass.PROGRAMME_CLAIMS: {Trigger.RETURN_SENT},
}


class RetentionRule(models.Model):
    """How long one class of records is kept, from what, and what happens then."""

    code = models.CharField(max_length=20, unique=True, help_text="For example CASE+6 or DOB+25")
    record_class = models.CharField(max_length=40, choices=RecordClass.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    period_years = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20, choices=RuleAction.choices)
    source = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, help_text="Where the rule comes from: a privacy notice, a retention schedule, a law")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(period_years__gte=1, period_years__lte=MAX_PERIOD_YEARS),
                                   name="retention_rule_period_1_to_100_years"),
            models.CheckConstraint(condition=Q(record_class__in=RecordClass.values), name="retention_rule_known_class"),
            models.CheckConstraint(condition=Q(trigger__in=Trigger.values), name="retention_rule_known_trigger"),
            models.CheckConstraint(condition=Q(action__in=RuleAction.values), name="retention_rule_known_action"),
            models.CheckConstraint(
                condition=~Q(record_class=RecordClass.CONTACTS_WITHOUT_EPISODE, trigger=Trigger.EPISODE_CLOSURE),
                name="retention_rule_contacts_have_no_episode_closure"),
        ]

    def __str__(self):
        return self.code

    def describe(self) -> str:
        """The rule in words, e.g. "Destroy 6 years after closure of the family's last episode"."""
        years = f"{self.period_years} year{'s' if self.period_years != 1 else ''}"
        start = {Trigger.EPISODE_CLOSURE: "after the family's last episode closed",
                 Trigger.DATE_OF_BIRTH: "after the youngest child's birth (their birthday at that age)",
                 Trigger.LAST_ACTIVITY: "after the family's last activity",
                 Trigger.ENTRY_WRITTEN: "after each entry was written",
                 Trigger.REQUEST_CLOSED: "after the request was closed",
                 Trigger.FILE_SENT: "after the file was made to be sent",
                 Trigger.FILE_RECEIVED: "after the partner sent the file",
                 Trigger.RETURN_SENT: "after the return was sent"}[self.trigger]
        return f"{self.get_action_display()} {years} {start}"


# --- Legal holds ---------------------------------------------------------------------------------

class HoldKind(models.TextChoices):
    IICSA = "iicsa", "IICSA instruction (Goddard letter, 2 July 2015)"
    LITIGATION = "litigation", "Litigation or a claim"
    OTHER = "other", "Another legal reason"


class HoldScope(models.TextChoices):
    HOUSEHOLD = "household", "A family"
    PERSON = "person", "A person"
    CRITERION = "criterion", "A class of records"


class HoldCriterion(models.TextChoices):
    CHILD_PROTECTION = "child_protection", "Any family where a child has had a child protection plan"
    STEPPED_UP = "stepped_up", "Any family stepped up to children's social care"
    KNOWN_TO_CSC = "known_to_csc", (
        "Any family known to children's social care (a child protection plan, looked after, open to children's "
        "social care, or stepped up or down)")


class LegalHold(models.Model):
    """Records that must not be disposed of, whatever their retention rule says (P20).

    A hold covers one family, one person (every family they have been in) or a class of records by criterion.
    It is lifted, never deleted: lifting records who, when and why. An active hold must name what it covers
    (a check constraint), so nothing can quietly take its target away.
    """

    kind = models.CharField(max_length=20, choices=HoldKind.choices)
    scope = models.CharField(max_length=20, choices=HoldScope.choices)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="legal_holds")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="legal_holds")
    criterion = models.CharField(max_length=30, choices=HoldCriterion.choices, blank=True)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why the records are held (may describe abuse or a claim)")
    placed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the hold was lifted")

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=HoldScope.HOUSEHOLD, person__isnull=True, criterion="")
                | Q(scope=HoldScope.PERSON, household__isnull=True, criterion="")
                | (Q(scope=HoldScope.CRITERION, household__isnull=True, person__isnull=True)
                   & Q(criterion__in=HoldCriterion.values)),
                name="legal_hold_target_matches_scope"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=False) | Q(household__isnull=False) | Q(person__isnull=False)
                | ~Q(criterion=""),
                name="legal_hold_active_names_its_target"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False, lifted_at__gte=F("placed_at")),
                name="legal_hold_lifted_by_someone_after_placing"),
            models.CheckConstraint(condition=Q(kind__in=HoldKind.values), name="legal_hold_known_kind"),
        ]
        indexes = [models.Index(fields=["lifted_at"], name="legal_hold_active")]

    def __str__(self):
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def reference(self) -> str:
        return f"LH-{self.pk:05d}"


# --- Sweeps ---------------------------------------------------------------------------------------

class SweepStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class SweepRun(jobs.Requeueable):
    """One run of the retention sweep, with its progress and a report of counts (never names or ids of families)."""

    as_of = models.DateField(help_text="The day the retention periods are measured to")
    status = models.CharField(max_length=20, choices=SweepStatus.choices, default=SweepStatus.QUEUED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     help_text="Empty when the schedule started it")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    total = models.PositiveIntegerField(default=0, help_text="Families due under the active rules")
    processed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text="Counts and rule codes only")
    failure = models.CharField(max_length=100, blank=True, help_text="The kind of error, never its message")
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(processed__lte=F("total")), name="sweep_run_processed_within_total"),
            models.CheckConstraint(condition=Q(status__in=SweepStatus.values), name="sweep_run_known_status"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"RS-{self.pk:05d}"

    @property
    def percent(self) -> int:
        if self.status == SweepStatus.FINISHED:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_running(self) -> bool:
        return self.status in (SweepStatus.QUEUED, SweepStatus.RUNNING)

    @property
    def was_cancelled(self) -> bool:
        return self.failure == jobs.CANCELLED


# --- Disposal batches ------------------------------------------------------------------------------

class BatchStatus(models.TextChoices):
    BUILDING = "building", "Being built by the sweep"
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved: waiting for disposal"
    REJECTED = "rejected", "Rejected"
    DISPOSED = "disposed", "Destroyed"
    ANONYMISED = "anonymised", "Anonymised"
    REVIEWED = "reviewed", "Reviewed"


DECIDED_STATUSES = {BatchStatus.REJECTED, BatchStatus.DISPOSED, BatchStatus.ANONYMISED, BatchStatus.REVIEWED}
# A family in a batch with one of these statuses is not proposed again by another sweep.
OPEN_STATUSES = {BatchStatus.PENDING, BatchStatus.APPROVED}


class DisposalBatch(models.Model):
    """The families one rule made due on one day: a review list for a person to approve or reject.

    The rule is copied as it was when the batch was built; disposal refuses if the rule has changed since.
    """

    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="batches")
    sweep = models.ForeignKey(SweepRun, on_delete=models.PROTECT, null=True, blank=True, related_name="batches")
    as_of = models.DateField()
    rule_code = models.CharField(max_length=20)
    record_class = models.CharField(max_length=40, choices=RecordClass.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    period_years = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20, choices=RuleAction.choices)
    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.BUILDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When a person approved or rejected it")
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    disposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    disposed_at = models.DateTimeField(null=True, blank=True)
    families_proposed = models.PositiveIntegerField(default=0)
    families_held_at_sweep = models.PositiveIntegerField(default=0)
    families_disposed = models.PositiveIntegerField(default=0)
    families_held_at_disposal = models.PositiveIntegerField(default=0)
    families_no_longer_due = models.PositiveIntegerField(default=0)
    dry_run = models.JSONField(default=dict, blank=True, help_text="Records disposal would reach, per model: counts")
    result = models.JSONField(default=dict, blank=True, help_text="Records disposal reached, per model: counts")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "disposal batches"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="disposal_batch_known_status"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False, decided_at__isnull=False),
                name="disposal_batch_approved_by_someone_at_a_time"),
            models.CheckConstraint(
                condition=Q(disposed_by__isnull=True, disposed_at__isnull=True)
                | Q(disposed_by__isnull=False, disposed_at__isnull=False, approved_at__isnull=False),
                name="disposal_batch_disposed_only_after_approval"),
            models.CheckConstraint(
                condition=~Q(status__in=[BatchStatus.APPROVED, BatchStatus.DISPOSED, BatchStatus.ANONYMISED,
                                         BatchStatus.REVIEWED]) | Q(approved_at__isnull=False),
                name="disposal_batch_approved_statuses_have_approval"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"DB-{self.pk:05d}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def is_family_class(self) -> bool:
        """True for families' records; False for rows of another record class (or an audit trail epoch)."""
        return self.record_class in FAMILY_CLASSES

    @property
    def counted(self) -> tuple[str, str]:
        """What the batch's counts (the `families_*` fields) count, singular and plural: families for a family's
        records, else the records themselves (partner records, audit events, requests, files, claims)."""
        return ("family", "families") if self.is_family_class else ("record", "records")

    @property
    def suggestion_key(self) -> str:
        """The batch's suggestion in `privacy.services.decisions` (found by key: a link to it would chain this
        batch, and its certificate, to a family in the personal-data inventory)."""
        return suggestion_key(self.pk)

    def decision(self):
        """The suggestion a person decides on (privacy.Suggestion), with who decided, when and why."""
        return Suggestion.objects.filter(kind=SuggestionKind.RETENTION, key=self.suggestion_key).first()

    def rule_changed(self) -> bool:
        rule = self.rule
        return not rule.is_active or (rule.record_class, rule.trigger, rule.period_years, rule.action) != (
            self.record_class, self.trigger, self.period_years, self.action)


def suggestion_key(batch_id: int) -> str:
    return f"disposal-batch:{batch_id}"


def batch_id_of(key: str) -> int | None:
    prefix, _, number = key.partition(":")
    return int(number) if prefix == "disposal-batch" and number.isdigit() else None


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    HELD = "held", "Held at the sweep: not proposed"
    HELD_AT_DISPOSAL = "held_at_disposal", "Held at disposal: kept"
    NO_LONGER_DUE = "no_longer_due", "No longer due at disposal: kept"
    DISPOSED = "disposed", "Destroyed"
    ANONYMISED = "anonymised", "Anonymised"
    REVIEWED = "reviewed", "Reviewed"


class DisposalCandidate(models.Model):
    """One family in a batch (or, for a record class that is not a family's records, one row of it, by id). Once
    the records are destroyed, the link is emptied: what remains says only that something was in the batch and
    what happened."""

    batch = models.ForeignKey(DisposalBatch, on_delete=models.CASCADE, related_name="candidates")
    household = models.ForeignKey("people.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="disposal_candidates")
    status = models.CharField(max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED)
    hold = models.ForeignKey(LegalHold, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             help_text="The hold that kept the family, if one did")
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The row of the batch's record class (not a family's records), by id")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "household"], condition=Q(household__isnull=False),
                                    name="disposal_candidate_once_per_batch"),
            models.CheckConstraint(condition=Q(status__in=CandidateStatus.values),
                                   name="disposal_candidate_known_status"),
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(object_id__isnull=False)
                                   | Q(status=CandidateStatus.DISPOSED),
                                   name="disposal_candidate_only_disposed_lose_their_link"),
            models.CheckConstraint(condition=Q(household__isnull=True) | Q(object_id__isnull=True),
                                   name="disposal_candidate_a_family_or_a_row"),
            models.UniqueConstraint(fields=["batch", "object_id"], condition=Q(object_id__isnull=False),
                                    name="disposal_candidate_row_once_per_batch"),
        ]

    def __str__(self):
        return f"Disposal candidate {self.pk}"


class DisposalCertificate(models.Model):
    """The proof that a batch was disposed of: what, how many, under which rule, approved by whom, when.

    It names no person and no family, and links to none: it outlives the records it describes.
    """

    batch = models.OneToOneField(DisposalBatch, on_delete=models.PROTECT, related_name="certificate")
    issued_at = models.DateTimeField()
    rule_code = models.CharField(max_length=20)
    record_class = models.CharField(max_length=40, choices=RecordClass.choices)
    action = models.CharField(max_length=20, choices=RuleAction.choices)
    families = models.PositiveIntegerField()
    families_held = models.PositiveIntegerField(default=0, help_text="Families kept because of a legal hold")
    records = models.JSONField(default=dict, help_text="Records reached, per model: counts")
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    disposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"DC-{self.pk:05d}"

    @property
    def total_records(self) -> int:
        return sum(self.records.values())
