"""The registers a Data Protection Officer keeps besides the processing register (issue 13, item 11).

- `DataSharingAgreement`: who shares what with whom, for which register purposes, on which lawful basis, from when
  to when (Digital Economy Act 2017 s35 agreements and ordinary partner agreements). Partner imports cite one that
  is in force; disclosures to an organisation record the one that covers it (`agreements`).
- `Breach`: a personal data breach, from being found to being closed, with the 72-hour clock to the ICO
  (UK GDPR Articles 33 and 34).
- `Dpia`: a data protection impact assessment (UK GDPR Article 35), linked to the register purposes it covers.

The registers hold no family's personal data: descriptions say what happened, not to whom. Every change keeps
history (simple-history) and is an audit event, through `governance.services`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


# --- Data-sharing agreements -------------------------------------------------------------------------------------

class AgreementKind(models.TextChoices):
    DEA_S35 = "dea_s35", "Digital Economy Act 2017 section 35 (public service delivery)"
    PARTNER = "partner", "Information sharing agreement with a partner"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft: not yet signed"
    SIGNED = "signed", "Signed"
    TERMINATED = "terminated", "Ended early"


class DataSharingAgreement(models.Model):
    reference = models.CharField(max_length=100, unique=True,
                                 help_text="How partners and files name it, for example ISA-2026-004")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    parties = models.ManyToManyField("organisations.Organisation", related_name="sharing_agreements",
                                     help_text="The organisations that share under it, besides the council")
    purposes = models.ManyToManyField("privacy.ProcessingPurpose", related_name="sharing_agreements",
                                      help_text="The register purposes the shared data may be used for")
    datasets = models.JSONField(default=list, help_text="What is shared, one dataset per item")
    lawful_basis = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, help_text="The Article 6 basis and the law relied on, for example the gateway")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty if it runs until it is ended")
    document_reference = models.CharField(max_length=200, help_text="Where the signed document is kept")
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[parties, purposes])

    class Meta:
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="agreement_ends_on_or_after_it_starts"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def in_force_on(self, day: datetime.date) -> bool:
        return (self.status == AgreementStatus.SIGNED and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))

    def standing_on(self, day: datetime.date) -> str:
        """In force, not yet started, ended or draft, on `day` (the words the pages and refusals use)."""
        if self.status == AgreementStatus.DRAFT:
            return "Draft"
        if day < self.starts_on:
            return "Not yet started"
        if self.ends_on is not None and day > self.ends_on:
            return "Ended"
        if self.status == AgreementStatus.TERMINATED:
            return "Ended"
        return "In force"


class DisclosureAgreement(models.Model):
    """The agreement a disclosure to an organisation was made under (`agreements.cites_agreement`)."""

    disclosure = models.OneToOneField("privacy.Disclosure", on_delete=models.CASCADE, related_name="agreement_cited")
    agreement = models.ForeignKey(DataSharingAgreement, on_delete=models.PROTECT, related_name="disclosures_cited")
    chosen = models.BooleanField(default=False, help_text="Named by the person sharing, not found by the system")

    def __str__(self):
        return f"{self.agreement.reference} for disclosure {self.disclosure_id}"


# --- Personal data breaches --------------------------------------------------------------------------------------

ICO_HOURS = 72  # UK GDPR Article 33(1): without undue delay and, where feasible, within 72 hours of becoming aware


class Reportable(models.TextChoices):
    UNDECIDED = "", "Not decided yet"
    YES = "yes", "Yes: it is likely to result in a risk to people's rights and freedoms"
    NO = "no", "No: it is unlikely to result in a risk to people's rights and freedoms"


class PeopleTold(models.TextChoices):
    UNDECIDED = "", "Not decided yet"
    TOLD = "told", "Yes, the people affected have been told"
    NOT_TOLD = "not_told", "No, the people affected are not being told"


class Breach(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200, help_text="A short name, without anyone's personal data")
    found_at = models.DateTimeField()
    found_by = models.CharField(max_length=200, help_text="Who found it: a role or team, for example a team manager")
    how_found = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH)
    aware_at = models.DateTimeField(help_text="When the council became aware: the ICO clock starts here")
    description = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="What happened, without unnecessary personal data")
    data_categories = models.JSONField(default=list)
    special_category = models.BooleanField(default=False)
    people_affected = models.PositiveIntegerField(help_text="Approximate number of people")
    records_affected = models.PositiveIntegerField(help_text="Approximate number of records")
    consequences = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, help_text="The likely consequences for the people affected")
    actions_taken = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    containment = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, help_text="How it was contained")
    reportable = models.CharField(max_length=5, choices=Reportable.choices, blank=True)
    reportable_reasoning = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    ico_reported_at = models.DateTimeField(null=True, blank=True)
    ico_reference = models.CharField(max_length=60, blank=True)
    late_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, help_text="Why the ICO was told more than 72 hours after awareness")
    people_told = models.CharField(max_length=10, choices=PeopleTold.choices, blank=True)
    people_told_on = models.DateField(null=True, blank=True)
    people_told_reasoning = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, help_text="How they were told, or why they are not")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-aware_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ico_reported_at__isnull=True) | ~Q(ico_reference=""),
                                   name="breach_ico_report_has_reference"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                                   name="breach_closed_by_someone"),
            models.CheckConstraint(condition=Q(aware_at__gte=models.F("found_at")),
                                   name="breach_aware_on_or_after_found"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def ico_due_at(self) -> datetime.datetime:
        return self.aware_at + datetime.timedelta(hours=ICO_HOURS)

    @property
    def reported_late(self) -> bool:
        return self.ico_reported_at is not None and self.ico_reported_at > self.ico_due_at

    def ico_overdue(self, now: datetime.datetime) -> bool:
        """The ICO has not been told, the breach is not assessed as unreportable, and 72 hours have passed."""
        return (self.ico_reported_at is None and self.reportable != Reportable.NO and self.closed_at is None
                and now > self.ico_due_at)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# --- Data protection impact assessments --------------------------------------------------------------------------

class DpiaOutcome(models.TextChoices):
    IN_PROGRESS = "", "In progress: no outcome yet"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    ICO_PRIOR_CONSULTATION = "ico_prior_consultation", "High risk remains: ICO prior consultation needed (Article 36)"


class Dpia(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    purposes = models.ManyToManyField("privacy.ProcessingPurpose", related_name="dpias")
    description = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="The processing assessed: what, why and how")
    risks = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH)
    mitigations = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH)
    outcome = models.CharField(max_length=30, choices=DpiaOutcome.choices, blank=True)
    conditions = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True, help_text="The conditions of an approval with conditions")
    dpo_advice = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    signed_off_by = models.CharField(max_length=200, blank=True, help_text="Name and role of who signed it off")
    signed_off_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(help_text="When it must be reviewed")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[purposes])

    class Meta:
        ordering = ["review_on", "reference"]
        verbose_name = "DPIA"
        constraints = [
            models.CheckConstraint(condition=Q(outcome="") | (~Q(signed_off_by="") & Q(signed_off_on__isnull=False)),
                                   name="dpia_outcome_is_signed_off"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def review_overdue(self, today: datetime.date) -> bool:
        return today > self.review_on


# --- Physical and hosting safeguards ----------------------------------------------------------------------------------

class HostingReview(models.Model):
    """The council's yearly review of the physical safeguards around the service (P23: "physical … procedures"):
    where the servers and backups are, who can reach them, how equipment and media are disposed of, and what
    protects the office and the devices staff use. The software cannot lock a data centre door; what it enforces is
    that these procedures are written down, signed off and reviewed on time (`hosting`, and the deployment check
    that fails without a current review). Reviews are kept, never edited: each year adds one."""

    reviewed_on = models.DateField(help_text="The day the safeguards were reviewed and signed off")
    next_review_by = models.DateField(help_text="At most a year after the review")
    signed_off_by = models.CharField(max_length=200, help_text="Name and role of whoever signed the review off")
    hosting = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Who hosts the service and its backups, and where (the sites and country)")
    physical_access = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Who can enter the sites and reach the servers, and how that is "
                                                 "controlled and recorded")
    media_disposal = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="How disks, backups and devices are wiped or destroyed, with "
                                                "certificates")
    backups = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Where backups are kept, how they are encrypted, and when a restore was "
                                         "last tested")
    workplace = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Office and device safeguards: locked screens, shared computers, printing, "
                                           "clear desks, lost or stolen devices")
    certification = models.CharField(max_length=200, blank=True,
                                     help_text="Certifications of the host, for example ISO/IEC 27001 or Cyber "
                                               "Essentials Plus, and their expiry")
    evidence_reference = models.CharField(max_length=200, help_text="Where the signed review and evidence are kept")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(next_review_by__gt=models.F("reviewed_on")),
                                   name="hosting_review_next_review_after_review"),
        ]

    def __str__(self):
        return f"Review of physical safeguards, {self.reviewed_on:%d %B %Y}"
