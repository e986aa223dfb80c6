"""The Supporting Families outcomes framework as data, and each family's needs and progress against it.

The framework is versioned: the ten headline outcomes keep stable codes while their labels, descriptors
(the need indicators) and the evidence of significant and sustained progress belong to a framework
version. The data team edits all of it, with history, and a council adds its own descriptors.

A family's needs are identified per member (or for the family as a whole) from the approved assessment,
from confirmed data-matching facts and by practitioners. Anything the system suggests becomes a need only
by a person's decision (P13), and every need says who gave the information (P17).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from earlyhelp.records.provenance import Provenance
from earlyhelp.records.text import FreeTextField, LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class HeadlineArea(models.Model):
    """One of the ten headline outcomes. The code is stable across framework versions; `label` is the current
    version's label (earlier labels stay in `HeadlineLabel`)."""

    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    # Special category or criminal offence data: partners see only that something is recorded.
    sensitivity = models.CharField(
        max_length=20,
        choices=[("ordinary", "Ordinary"), ("special", "Special category"), ("criminal", "Criminal offence")],
        default="ordinary",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.label

    @property
    def is_sensitive(self):
        return self.sensitivity != "ordinary"


class FrameworkVersion(models.Model):
    """A version of the outcomes framework (e.g. 2022–25). Exactly one is current: new needs use its
    descriptors; needs identified under an earlier version keep theirs."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    is_current = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True),
                                               name="one_current_framework_version")]

    def __str__(self):
        return self.name


class HeadlineLabel(models.Model):
    """A headline outcome's label in one framework version (the 2022 "Better managed substance use" became
    "Promoting recovery and reducing harm from substance use")."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="labels")
    area = models.ForeignKey(HeadlineArea, on_delete=models.PROTECT, related_name="labels")
    label = models.CharField(max_length=120)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area__order"]
        constraints = [models.UniqueConstraint(fields=["version", "area"], name="one_label_per_area_and_version")]


class Descriptor(models.Model):
    """A need indicator under a headline outcome, and the evidence that shows significant and sustained
    progress against it."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="descriptors")
    area = models.ForeignKey(HeadlineArea, on_delete=models.PROTECT, related_name="descriptors")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200, help_text="The need, as practitioners and families read it")
    progress_evidence = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH,
        help_text="What shows significant and sustained progress (for example: attendance above 90% for "
                  "three consecutive terms)")
    is_local = models.BooleanField(default=False, help_text="Added by this council, not in the national framework")
    is_active = models.BooleanField(default=True, help_text="Inactive descriptors stay on needs already recorded")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area__order", "order", "label"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="descriptor_code_once_per_version")]

    def __str__(self):
        return self.label


class DatasetNeedRule(models.Model):
    """Which confirmed data-matching fact suggests which need: data the council changes, not code. A rule with
    no fact condition matches every record in the dataset; otherwise the named fact is compared with the value
    (numbers compare as numbers)."""

    class Comparison(models.TextChoices):
        ANY = "any", "Any record in the dataset"
        EQUALS = "equals", "The fact equals the value"
        BELOW = "below", "The fact is below the value"
        AT_LEAST = "at_least", "The fact is at least the value"

    dataset_type = models.CharField(max_length=40, help_text="A partner dataset (matching.DatasetType)")
    descriptor = models.ForeignKey(Descriptor, on_delete=models.PROTECT, related_name="dataset_rules")
    fact = models.CharField(max_length=60, blank=True)
    comparison = models.CharField(max_length=10, choices=Comparison.choices, default=Comparison.ANY)
    value = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dataset_type", "pk"]
        constraints = [models.CheckConstraint(condition=Q(comparison="any") | ~Q(fact="") & ~Q(value=""),
                                              name="dataset_rule_condition_is_complete")]


class EligibilityCounting(models.TextChoices):
    HEADLINES = "headlines", "Distinct headline outcomes"
    DESCRIPTORS = "descriptors", "Distinct descriptors"


class ProgrammeRules(models.Model):
    """The council's programme rules (one row, with history). The defaults follow the 2022–25 guidance."""

    minimum_needs = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="A family is eligible with needs in at least this many…")
    counting = models.CharField(max_length=12, choices=EligibilityCounting.choices,
                                default=EligibilityCounting.HEADLINES, help_text="…headlines, or descriptors")
    requires_dependent_child_or_expectant_parent = models.BooleanField(default=True)
    dependent_child_under = models.PositiveSmallIntegerField(
        default=18, validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="A dependent child is younger than this (in years)")
    positive_score = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(2), MaxValueValidator(5)],
        help_text="A need's outcome is positive when its latest progress score is at least this (1–5)")
    sustainment_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="A positive outcome must hold for this many months after closure before it can be claimed")
    sustainment_reminder_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(90)],
        help_text="Remind the data team this many days before a sustainment check is due")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "programme rules"

    def __str__(self):
        return "Supporting Families rules"

    @classmethod
    def current(cls) -> "ProgrammeRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls.objects.create()


class NeedStatus(models.TextChoices):
    OPEN = "open", "Being worked on"
    MET = "met", "Outcome achieved"
    NOT_MET = "not_met", "Outcome not achieved"
    WITHDRAWN = "withdrawn", "Recorded in error"


class Need(Provenance):
    """A family need against a descriptor, for one member or the whole family (person empty). A need found by
    data matching before the family has an episode of support belongs to the family alone until one opens."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="needs")
    episode = models.ForeignKey("casework.Episode", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="needs")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               help_text="Empty for a need of the family as a whole")
    descriptor = models.ForeignKey(Descriptor, on_delete=models.PROTECT, related_name="needs")
    evidence = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data; special category or criminal offence data by area: "
                                           "what shows the need")
    identified_on = models.DateField()
    identified_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                      help_text="The person who recorded or confirmed the need (P13)")
    suggestion = models.OneToOneField("privacy.Suggestion", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="need")
    status = models.CharField(max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    withdrawn_reason = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, db_comment="Personal data: why the need was recorded in error")

    history = HistoricalRecords()

    class Meta:
        ordering = ["descriptor__area__order", "descriptor__order", "pk"]
        # One need per descriptor per member (or for the family) in an episode is the service's rule
        # (`services.needs`): person and episode may be empty, and SQLite cannot treat empty as equal.
        constraints = [
            models.CheckConstraint(condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                                   name="need_withdrawal_has_a_reason"),
        ]

    def __str__(self):
        return f"Need {self.pk}"

    @property
    def area(self) -> HeadlineArea:
        return self.descriptor.area

    @property
    def latest_progress(self):
        recorded = list(self.progress.all())  # uses a prefetch when there is one
        return recorded[-1] if recorded else None


class ProgressOccasion(models.TextChoices):
    BASELINE = "baseline", "When the need was identified"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"


class NeedProgress(models.Model):
    """Where a need stood at a review or at closure: 1 (significant concern) to 5 (no concern), with evidence.
    The series is the family's distance travelled."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="progress")
    occasion = models.CharField(max_length=10, choices=ProgressOccasion.choices)
    review = models.ForeignKey("casework.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    evidence = FreeTextField(max_length=LONG_TEXT_MAX_LENGTH, db_comment="Personal data; special category or criminal offence data by area: "
                                           "what shows the progress")
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="progress_score_is_1_to_5"),
            models.CheckConstraint(condition=~Q(occasion="review") | Q(review__isnull=False),
                                   name="progress_at_a_review_names_it"),
            models.UniqueConstraint(fields=["need", "review"], name="progress_once_per_need_and_review"),
            models.UniqueConstraint(fields=["need"], condition=Q(occasion="closure"),
                                    name="progress_once_per_need_at_closure"),
        ]
