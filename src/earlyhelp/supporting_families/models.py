"""The data team's Supporting Families work on families: who joins the programme (the shortlist, each a
person's decision), whether outcomes held six months after closure (sustainment checks) and payment-by-results
claims, built in batches per period with an evidence bundle and an assurance sample."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class ProgrammeFamily(models.Model):
    """A family a person decided is eligible for Supporting Families, on the rule's evidence at screening."""

    household = models.OneToOneField("people.Household", on_delete=models.PROTECT, related_name="programme")
    screened_on = models.DateField(help_text="The date the family was screened as eligible (National Impact Study)")
    criteria_met = models.JSONField(help_text="Headline codes the family met at screening")
    comparison_group = models.BooleanField(
        default=False, help_text="Eligible but not offered support: the National Impact Study's comparison group")
    suggestion = models.OneToOneField("privacy.Suggestion", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="programme_family")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-screened_on", "pk"]
        verbose_name_plural = "programme families"

    def __str__(self):
        return f"Programme family {self.pk}"


class SustainmentMethod(models.TextChoices):
    MATCHED_DATA = "matched_data", "A re-check of matched partner data"
    RECORDED_CHECK = "recorded_check", "A check recorded by the data team (for example with the family or school)"


class SustainmentCheck(models.Model):
    """Whether a need's positive outcome still held when checked, at least the rule's months after closure."""

    need = models.ForeignKey("programme.Need", on_delete=models.PROTECT, related_name="sustainment_checks")
    due_on = models.DateField()
    checked_on = models.DateField()
    method = models.CharField(max_length=20, choices=SustainmentMethod.choices)
    sustained = models.BooleanField()
    evidence = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data; special category or criminal offence data by area: "
                                           "what the check found")
    source_record = models.ForeignKey("matching.SourceRecord", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", help_text="The matched partner record re-checked")
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-checked_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(checked_on__gte=models.F("due_on")),
                                              name="sustainment_checked_when_due")]


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "Being decided"
    SUBMITTED = "submitted", "Submitted"


class ClaimBatch(models.Model):
    """The claims for one period. The assurance sample is drawn with a recorded seed, so the internal audit can
    draw it again and get the same families."""

    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    sample_fraction = models.DecimalField(max_digits=4, decimal_places=3, default="0.100",
                                          help_text="The share of accepted claims the internal audit checks")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="claim_batch_period_in_order"),
            models.CheckConstraint(condition=Q(status="draft") | Q(submitted_by__isnull=False,
                                                                   submitted_at__isnull=False,
                                                                   sample_seed__isnull=False),
                                   name="claim_batch_submitted_with_who_when_and_sample"),
        ]

    def __str__(self):
        return f"Claims {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"


class ClaimStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a decision"
    ACCEPTED = "accepted", "Claimed"
    REFUSED = "refused", "Not claimed"


class Claim(models.Model):
    """A payment-by-results claim for one family's episode: possible only when every condition held when it was
    built (`conditions` keeps what was checked), and made only by a person's decision with a reason (P13)."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="claims")
    episode = models.ForeignKey("casework.Episode", on_delete=models.PROTECT, related_name="claims")
    conditions = models.JSONField(help_text="Each condition and what showed it, when the claim was built")
    status = models.CharField(max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.PROPOSED)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the reason for the decision")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    in_assurance_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "episode"], name="claim_once_per_batch_and_episode"),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True, reason="")
                | (~Q(status="proposed") & Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="claim_decided_by_a_person_with_a_reason"),
        ]

    def __str__(self):
        return f"Claim {self.pk}"


class ClaimedNeed(models.Model):
    """A need an accepted claim was paid for: a need is claimed once, ever."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="claimed_needs")
    need = models.OneToOneField("programme.Need", on_delete=models.PROTECT, related_name="claimed")
