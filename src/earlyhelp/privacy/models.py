"""The processing register (UK GDPR Article 30) and the privacy notices generated from it.

Every purpose the code processes personal data for (`earlyhelp.audit.models.Purpose`) must be a
row here, with its lawful basis; the DPO keeps the rows up to date and every change keeps history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, PersonNameField, SHORT_TEXT_MAX_LENGTH


UK = "United Kingdom"


# --- Recipients (P7, P21) -------------------------------------------------------------------------
#
# Who may receive families' information is data the DPO keeps (`RecipientType`), not a list in code. What keeps
# buyers, marketers and anyone abroad out is structure, not a word list: a recipient must perform one of a closed
# list of public functions (`PublicFunction`: there is no commercial, marketing or data-trading function), rely on
# an Article 6 basis a public authority may use for its tasks (consent, legal obligation, public task; never
# contract or legitimate interests, the bases a sale or marketing would need), name the statute or legal gateway
# for sharing, and be in the United Kingdom. The database refuses any row that breaks those rules; the register's
# service (`services.recipients`) explains them in the DPO's words, and refuses names that read as a buyer or a
# marketer as well.


class RecipientKind(models.TextChoices):
    PARTNER = "partner", "Partner organisation type (organisations of this type are in the partner register)"
    PUBLIC_BODY = "public_body", "Public body named in the notice (not a partner organisation)"


class PublicFunction(models.TextChoices):
    """The closed list of public functions a recipient may perform, with the law that gives the function."""

    LOCAL_GOVERNMENT = "local_government", "Local government (Children Act 2004 s10)"
    SOCIAL_CARE = "social_care", "Children's social care (Children Act 1989 s17 and s47)"
    EDUCATION = "education", "Education (Education Act 1996; Education Act 2002 s175)"
    EARLY_YEARS = "early_years", "Early years provision (Childcare Act 2006)"
    HEALTH = "health", "Health care (National Health Service Act 2006)"
    POLICING = "policing", "Policing and crime prevention (Police Act 1996; Crime and Disorder Act 1998 s17)"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue (Fire and Rescue Services Act 2004 s6)"
    PROBATION_YOUTH_JUSTICE = "probation_youth_justice", ("Probation and youth justice (Offender Management Act "
                                                          "2007; Crime and Disorder Act 1998 s39)")
    HOUSING = "housing", "Housing and homelessness (Housing Act 1996 Part 7)"
    WELFARE_EMPLOYMENT = "welfare_employment", "Welfare and employment support (Welfare Reform Act 2012)"
    COMMISSIONED_SERVICE = "commissioned_service", ("A service the council commissions for families, under "
                                                    "contract (UK GDPR Article 28)")
    VOLUNTARY_SUPPORT = "voluntary_support", "Voluntary and community support for families (Children Act 2004 s10(3))"
    OFFICIAL_STATISTICS_RESEARCH = "official_statistics_research", (
        "Official statistics and accredited research (Statistics and Registration Service Act 2007; Digital "
        "Economy Act 2017 Part 5)")
    GOVERNMENT_PROGRAMME = "government_programme", "Running a government programme (Supporting Families)"
    REGULATION = "regulation", "Regulation and inspection (Data Protection Act 2018; Children Act 2004 s20)"


# The Article 6 bases the council may share on: never contract, 6(1)(b), or legitimate interests, 6(1)(f).
RECIPIENT_ARTICLE_6 = [("6(1)(a)", "Article 6(1)(a): consent"), ("6(1)(c)", "Article 6(1)(c): legal obligation"),
                       ("6(1)(e)", "Article 6(1)(e): public task")]


class RecipientType(models.Model):
    """A kind of recipient the processing register may name (P7, P21): partner organisation types (the partner
    register's `Organisation.type` codes) and public bodies. Every change keeps history with a reason."""

    code = models.SlugField(max_length=40, unique=True, help_text="How the system names it; fixed once added")
    name = models.CharField(max_length=200, help_text="As the privacy notice names it")
    description = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    public_function = models.CharField(max_length=40, choices=PublicFunction.choices)
    article_6 = models.CharField("Article 6 lawful basis for sharing", max_length=10, choices=RECIPIENT_ARTICLE_6)
    statutory_basis = models.CharField(max_length=300, help_text="The statute or legal gateway for sharing")
    location = models.CharField(max_length=60, default=UK)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]  # partner types first, then public bodies
        constraints = [
            # P14, P21: nobody outside the United Kingdom receives families' information.
            models.CheckConstraint(condition=Q(location=UK), name="recipient_type_in_the_uk"),
            # P21: a recipient performs a public function from the closed list (no commercial function exists).
            models.CheckConstraint(condition=Q(public_function__in=PublicFunction.values),
                                   name="recipient_type_performs_a_public_function"),
            models.CheckConstraint(condition=Q(kind__in=RecipientKind.values), name="recipient_type_kind_known"),
            models.CheckConstraint(condition=Q(article_6__in=[code for code, _ in RECIPIENT_ARTICLE_6]),
                                   name="recipient_type_public_authority_basis"),
            models.CheckConstraint(condition=~Q(statutory_basis=""), name="recipient_type_names_its_legal_gateway"),
            models.CheckConstraint(condition=~Q(name=""), name="recipient_type_has_a_name"),
        ]

    def __str__(self):
        return self.name


def recipient_choices(*, kind: str | None = None, active_only: bool = True) -> list[tuple[str, str]]:
    """The register's recipients as (code, name): partner types first, then public bodies."""
    rows = RecipientType.objects.all()
    if active_only:
        rows = rows.filter(is_active=True)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("code", "name"))


def recipient_label(code: str) -> str:
    return RecipientType.objects.filter(code=code).values_list("name", flat=True).first() or code


class Article6(models.TextChoices):
    CONSENT = "6(1)(a)", "Article 6(1)(a): consent"
    LEGAL_OBLIGATION = "6(1)(c)", "Article 6(1)(c): legal obligation"
    PUBLIC_TASK = "6(1)(e)", "Article 6(1)(e): public task"


class Article9(models.TextChoices):
    NONE = "", "No special category data"
    EXPLICIT_CONSENT = "9(2)(a)", "Article 9(2)(a): explicit consent"
    SUBSTANTIAL_PUBLIC_INTEREST = "9(2)(g)", "Article 9(2)(g): substantial public interest"
    HEALTH_SOCIAL_CARE = "9(2)(h)", "Article 9(2)(h): health or social care"


class ProcessingPurpose(models.Model):
    code = models.SlugField(max_length=60, unique=True, help_text="The name the code uses for this purpose")
    name = models.CharField(max_length=120)
    description = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Plain English: this text goes into the privacy notice")
    article_6 = models.CharField("Article 6 lawful basis", max_length=10, choices=Article6.choices)
    article_9 = models.CharField("Article 9 condition", max_length=10, choices=Article9.choices, blank=True)
    schedule_1_condition = models.CharField("DPA 2018 Schedule 1 condition", max_length=300, blank=True)
    article_10 = models.CharField("Article 10 condition (criminal offence data)", max_length=300, blank=True)
    consent_required = models.BooleanField(default=False)
    data_categories = models.JSONField(default=list)
    special_category = models.JSONField(default=list, blank=True)
    criminal_offence_data = models.BooleanField(default=False)
    data_subjects = models.JSONField(default=list)
    recipient_types = models.JSONField(default=list, blank=True)
    retention = models.CharField(max_length=40, help_text="A rule such as CASE+6 or DOB+25")
    retention_note = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    statutes = models.JSONField(default=list, blank=True)
    processing_location = models.CharField(max_length=60, default=UK)
    automated_decisions = models.BooleanField(default=False)
    sources = models.JSONField(default=list, blank=True, help_text="The privacy notices this entry comes from")
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            # P14: all processing happens in the United Kingdom.
            models.CheckConstraint(condition=Q(processing_location=UK), name="purpose_processed_in_the_uk"),
            # P13: no purpose makes decisions about people without a person.
            models.CheckConstraint(condition=Q(automated_decisions=False), name="purpose_no_automated_decisions"),
            models.CheckConstraint(condition=Q(criminal_offence_data=False) | ~Q(article_10=""),
                                   name="purpose_criminal_data_has_article_10_condition"),
            models.CheckConstraint(condition=Q(article_9="") | Q(article_9="9(2)(a)") | Q(article_9="9(2)(h)")
                                   | ~Q(schedule_1_condition=""),
                                   name="purpose_substantial_public_interest_names_schedule_1"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.special_category and not self.article_9:
            errors["article_9"] = "Special category data needs an Article 9 condition"
        if self.criminal_offence_data and not self.article_10:
            errors["article_10"] = "Criminal offence data needs an Article 10 / Schedule 1 condition"
        if self.article_9 == Article9.SUBSTANTIAL_PUBLIC_INTEREST and not self.schedule_1_condition:
            errors["schedule_1_condition"] = "Article 9(2)(g) needs the DPA 2018 Schedule 1 condition relied on"
        if self.processing_location != UK:
            errors["processing_location"] = "All processing must happen in the United Kingdom"
        if errors:
            raise ValidationError(errors)


class PrivacyNotice(models.Model):
    """A published version of the notice, frozen as it was shown (consents record which one)."""

    version = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", help_text="Empty for the version installed with the system")
    content = models.JSONField(help_text="The purposes and statements exactly as published")

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Privacy notice version {self.version}"


class EvidenceType(models.TextChoices):
    SIGNED_FORM = "signed_form", "Signed consent form"
    VERBAL_WITNESSED = "verbal_witnessed", "Verbal consent, witnessed"


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", "Given"
    WITHDRAWAL_REQUESTED = "withdrawal_requested", "Withdrawn: being processed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Consent(models.Model):
    """A family's consent, immutable once given (P3, P6, P9).

    A correction is a withdrawal and a new consent. A withdrawal stops consent-based sharing at
    once; the rest of it (telling partners, confirming to the family) is due within 14 days.
    """

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="consents")
    subject = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents_about",
                                help_text="Whose information the consent is about")
    given_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents_given",
                                 help_text="The person who gave it: the subject, or a parent for a child")
    covers_support = models.BooleanField(help_text="Consent to early help support itself")
    sharing_partner_types = models.JSONField(default=list, blank=True,
                                             help_text="Organisation types the family agrees we may share with")
    must_not_see = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: people or agencies who must not see "
                                                           "the assessment, in the family's words")
    national_evaluation_opt_out = models.BooleanField(default=False)
    evidence_type = models.CharField(max_length=20, choices=EvidenceType.choices)
    evidence_reference = models.CharField(max_length=200, blank=True,
                                          help_text="Where the signed form is kept (e.g. document reference)",
                                          db_comment="Personal data: where the evidence of consent is kept")
    witness_name = PersonNameField(max_length=120, blank=True, db_comment="Personal data: witness (staff) name")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents",
                               help_text="The privacy notice version the family was given")
    given_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=25, choices=ConsentStatus.choices, default=ConsentStatus.ACTIVE)
    withdrawal_requested_on = models.DateField(null=True, blank=True)
    withdrawal_channel = models.CharField(max_length=20, blank=True)
    withdrawal_due_on = models.DateField(null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    withdrawal_completed_at = models.DateTimeField(null=True, blank=True)
    withdrawal_completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                                blank=True, related_name="+")
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", help_text="The consent this one corrects")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(evidence_type="verbal_witnessed") | ~Q(witness_name=""),
                                   name="consent_verbal_has_a_witness"),
            models.CheckConstraint(condition=~Q(evidence_type="signed_form") | ~Q(evidence_reference=""),
                                   name="consent_signed_form_is_referenced"),
            models.CheckConstraint(
                condition=Q(status="active", withdrawal_requested_on__isnull=True)
                | ~Q(status="active") & Q(withdrawal_requested_on__isnull=False, withdrawal_due_on__isnull=False,
                                         withdrawal_recorded_by__isnull=False),
                name="consent_withdrawal_has_when_and_who"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawal_completed_at__isnull=False,
                                                     withdrawal_completed_by__isnull=False),
                name="consent_withdrawn_is_completed"),
        ]

    def __str__(self):
        return f"Consent {self.pk}"

    @property
    def is_active(self):
        return self.status == ConsentStatus.ACTIVE


class ConsentRules(models.Model):
    """Whether this council's early help needs the family's recorded consent to support (P6): one row, kept by
    the DPO with a reason for every change (its history).

    Councils that follow Wigan's notice make signed consent one of the four principles of early help; councils
    that work as Cambridgeshire and Peterborough do provide early help under their public task and do not ask
    for consent to support. The default is the public task: nothing is refused until the council switches the
    rule on.
    """

    support_needs_consent = models.BooleanField(
        default=False, help_text="Starting an assessment or a family plan needs the family's consent to support")
    verbal_consent_enough = models.BooleanField(
        default=False, help_text="Witnessed verbal consent is enough; otherwise a signed consent form is needed")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Empty until the rules are first changed")
    changed_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "consent rules"
        constraints = [models.CheckConstraint(condition=Q(changed_at__isnull=True) | ~Q(change_reason=""),
                                              name="consent_rules_change_has_a_reason")]

    def __str__(self):
        return "Consent to support"

    @classmethod
    def current(cls) -> "ConsentRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls.objects.create()

    @property
    def accepted_evidence(self) -> set[str]:
        if self.verbal_consent_enough:
            return {EvidenceType.SIGNED_FORM, EvidenceType.VERBAL_WITNESSED}
        return {EvidenceType.SIGNED_FORM}


class DisclosureBasis(models.TextChoices):
    CONSENT = "consent", "The family's consent"
    PUBLIC_TASK = "public_task", "Public task (a recipient listed in the processing register)"
    SAFEGUARDING = "safeguarding", "A child or adult is at risk of harm"
    CRIME = "crime", "To prevent or detect crime"
    FRAUD = "fraud", "To prevent or detect fraud"
    LEGAL_OBLIGATION = "legal_obligation", "The law requires it"


# Bases that let us share without consent or beyond the register, each needing a manager's approval.
LEGAL_REASON_BASES = {DisclosureBasis.SAFEGUARDING, DisclosureBasis.CRIME, DisclosureBasis.FRAUD,
                      DisclosureBasis.LEGAL_OBLIGATION}


class DisclosureSection(models.TextChoices):
    HOUSEHOLD = "household", "Household members"
    EPISODE = "episode", "Episode and lead practitioner"
    ASSESSMENT = "assessment", "Early Help Assessment"
    PLAN = "plan", "Family plan"
    REVIEWS = "reviews", "Reviews"
    NOTES = "notes", "Case notes"


class DisclosureKind(models.TextChoices):
    TAF_INVITATION = "taf_invitation", "Invitation to the Team Around the Family"
    REFERRAL = "referral", "Referral to another service"
    INFORMATION_REQUEST = "information_request", "Reply to a request for information"
    PANEL_PACK = "panel_pack", "Multi-agency panel pack"
    EXPORT = "export", "Export"
    SUBJECT_ACCESS = "subject_access", "Subject access pack released to the requester"


class Panel(models.Model):
    """A multi-agency panel (P26), such as a Multi-Agency Support Group: its members are organisations of
    several types. A pack for a panel is checked against the family's consent and the register for every
    member, and logged as a disclosure to each. Kept by those with `KEEP_PANELS`, every change with history."""

    name = models.CharField(max_length=120, unique=True)
    description = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, help_text="What the panel does and when it meets")
    members = models.ManyToManyField("organisations.Organisation", related_name="panels", blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="panel_has_a_name")]

    def __str__(self):
        return self.name


class Disclosure(models.Model):
    """Every decision to share outside the holding team, or not to (P7, P8, P17)."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=30, choices=DisclosureKind.choices, default=DisclosureKind.INFORMATION_REQUEST)
    shared = models.BooleanField(help_text="False records a decision not to share, with its reasons")
    sections = models.JSONField(default=list, help_text="What was shared: section codes only")
    special_category_shared = models.BooleanField(
        default=False, help_text="Special category and criminal offence detail was shared in full, not as markers")
    # Empty only for a subject access pack, which goes to the person (or whoever acts for them).
    recipient_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="disclosures_received")
    recipient_person = models.CharField(max_length=120, blank=True, db_comment="Personal data: recipient's name")
    purpose = models.ForeignKey(ProcessingPurpose, on_delete=models.PROTECT, related_name="disclosures")
    basis = models.CharField(max_length=20, choices=DisclosureBasis.choices)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, db_comment="Personal data: why we shared, or decided not to")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="The manager who approved a legal reason")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    # A panel pack goes to every member organisation of the panel: one disclosure each, sharing the pack's reference.
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures")
    pack_reference = models.CharField(max_length=20, blank=True, help_text="The panel pack this disclosure was part of")

    @property
    def recipient_label(self) -> str:
        if self.recipient_organisation_id is None:
            return "The person the information is about, or whoever acts for them (subject access)"
        if self.panel_id is not None:
            return f"{self.recipient_organisation.name}, a member of {self.panel.name} (pack {self.pack_reference})"
        return self.recipient_organisation.name

    @property
    def section_labels(self) -> list[str]:
        return [DisclosureSection(code).label for code in self.sections]

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="disclosure_has_a_reason"),
            models.CheckConstraint(condition=Q(shared=False) | ~Q(sections=[]), name="disclosure_names_what_was_shared"),
            models.CheckConstraint(condition=Q(kind="subject_access", recipient_organisation__isnull=True)
                                   | (~Q(kind="subject_access") & Q(recipient_organisation__isnull=False)),
                                   name="disclosure_to_an_organisation_or_the_subject"),
            models.CheckConstraint(condition=Q(panel__isnull=True, pack_reference="")
                                   | Q(panel__isnull=False, kind="panel_pack") & ~Q(pack_reference=""),
                                   name="disclosure_to_a_panel_is_a_referenced_panel_pack"),
        ]


class DatasetDisclosureKind(models.TextChoices):
    NATIONAL_IMPACT_STUDY = "national_impact_study", "National Impact Study transfer to ONS"
    RESEARCH_EXTRACT = "research_extract", "Pseudonymised research extract"


class DatasetDisclosure(models.Model):
    """A file about many families sent outside the council, logged with its manifest (P12, P27): purpose,
    recipient, period, columns, row count and the file's digest. Each family in it is linked, so their own
    disclosure log and subject access pack show it (P17)."""

    kind = models.CharField(max_length=30, choices=DatasetDisclosureKind.choices)
    purpose = models.ForeignKey(ProcessingPurpose, on_delete=models.PROTECT, related_name="dataset_disclosures")
    recipient = models.CharField(max_length=40, help_text="A recipient code from the register's vocabulary")
    recipient_name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    columns = models.JSONField(help_text="The columns sent, in order")
    row_count = models.PositiveIntegerField()
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    pseudonymised = models.BooleanField()
    reference = models.CharField(max_length=60, blank=True, help_text="The research project, for an extract")
    households = models.ManyToManyField("people.Household", related_name="dataset_disclosures", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                              name="dataset_disclosure_period_in_order")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    @property
    def recipient_label(self) -> str:
        return recipient_label(self.recipient)


class SuggestionKind(models.TextChoices):
    ELIGIBILITY = "eligibility", "Family eligible for Supporting Families"
    NEED = "need", "Supporting Families need from the assessment"
    MATCHED_NEED = "matched_need", "Supporting Families need from a data match"
    MATCH = "match", "Data match"
    NEW_PERSON = "new_person", "New person from a data match"
    RETENTION = "retention", "Retention action"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Suggestion(models.Model):
    """Something the system proposes. It takes effect only when a named person accepts it, with a reason (P13);
    a rejected suggestion is never proposed again."""

    kind = models.CharField(max_length=20, choices=SuggestionKind.choices)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="suggestions")
    key = models.CharField(max_length=200, help_text="What is suggested, in the terms of its kind (ids and codes)")
    rule = models.CharField(max_length=300, help_text="Why the system suggested it: shown to the person deciding")
    suggested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: the reason for the decision")

    class Meta:
        ordering = ["-suggested_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="suggestion_made_once"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True, reason="")
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="suggestion_decided_by_a_person_with_a_reason"),
        ]


class PackStatus(models.TextChoices):
    IN_REVIEW = "in_review", "Third-party information being reviewed"
    RELEASED = "released", "Released to the requester"


class SubjectAccessPack(models.Model):
    """Everything held about a person, built for a subject access request (P19).

    The content is a snapshot, so the review of third-party information (`RedactionProposal`) refers to
    exactly what will be released; nothing is released until every proposal is decided.
    """

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.PROTECT, related_name="packs")
    subject = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, related_name="+")
    content = models.JSONField(db_comment="Personal data: the snapshot of everything held about the person")
    status = models.CharField(max_length=20, choices=PackStatus.choices, default=PackStatus.IN_REVIEW)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_review", released_by__isnull=True, released_at__isnull=True)
                | Q(status="released", released_by__isnull=False, released_at__isnull=False),
                name="pack_release_has_who_and_when"),
        ]

    def __str__(self):
        return f"Subject access pack {self.pk}"


class RedactionKind(models.TextChoices):
    THIRD_PARTY_NAME = "third_party_name", "Another person's name"
    NHS_NUMBER = "nhs_number", "NHS number"
    NI_NUMBER = "ni_number", "National Insurance number"
    POSTCODE = "postcode", "Postcode"
    PHONE = "phone", "Telephone number"
    EMAIL = "email", "Email address"


class RedactionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    REDACT = "redact", "Withhold (redact)"
    DISCLOSE = "disclose", "Disclose"


class RedactionProposal(models.Model):
    """Third-party information the system found in a pack. A person decides, with a reason, whether it is withheld
    (DPA 2018 Sch 2 para 16) or disclosed; the system never decides (P13)."""

    pack = models.ForeignKey(SubjectAccessPack, on_delete=models.CASCADE, related_name="proposals")
    location = models.CharField(max_length=200, help_text="Where in the pack: record key and field")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=300, db_comment="Personal data: the third-party information found")
    kind = models.CharField(max_length=30, choices=RedactionKind.choices)
    status = models.CharField(max_length=20, choices=RedactionStatus.choices, default=RedactionStatus.PENDING)
    reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why it is withheld or disclosed")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="redaction_span_not_empty"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True, reason="")
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="redaction_decided_by_a_person_with_a_reason"),
        ]


class Tombstone(models.Model):
    """What an approved erasure removed, under which request, who approved it and when. No personal data."""

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.PROTECT, related_name="tombstones")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField()
    record_counts = models.JSONField(help_text="Records removed per record class (model label: count)")
    records_scrubbed = models.JSONField(default=dict, help_text="Records kept with personal data removed, per class")
    files_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Tombstone {self.pk}"


# The DPO's other registers (breaches, DPIAs, data-sharing agreements) live in their own module.
from .governance.models import (  # noqa: E402,F401  (imported last so Django finds them with the app's models)
    Breach,
    DataSharingAgreement,
    DisclosureAgreement,
    Dpia,
    HostingReview,
)
