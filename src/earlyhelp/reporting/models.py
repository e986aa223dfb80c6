"""What the reporting app keeps: the council's disclosure-control thresholds, the returns it has published
(as they were shown, after disclosure control) and the research projects that receive pseudonymised extracts."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from earlyhelp.records.text import FreeTextField, SHORT_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class DisclosureControlRules(models.Model):
    """The council's thresholds for statistics (one row, with history). Defaults follow DfE practice."""

    suppress_up_to = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Counts from 1 to this are shown as c")
    small_area_suppress_up_to = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="The stricter threshold for tables about small areas")
    rounding_base = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Totals above council level are rounded to the nearest this")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "disclosure control rules"

    def __str__(self):
        return "Disclosure control rules"

    @classmethod
    def current(cls) -> "DisclosureControlRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls.objects.create()


class ReturnKind(models.TextChoices):
    QUARTERLY = "quarterly", "Supporting Families quarterly progress return"
    FAMILY_PROGRESS = "family_progress", "Family progress data (six-monthly)"
    PERFORMANCE = "performance", "Council-wide performance figures (a financial quarter)"


class PublishedReturn(models.Model):
    """A return exactly as it was produced: its tables after disclosure control, so a later return for the
    same period is protected against this one too."""

    kind = models.CharField(max_length=20, choices=ReturnKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    tables = models.JSONField(help_text="The tables as published: counts and GSS symbols only")
    # PostgreSQL's JSON objects keep no order of their keys: the order the tables were published in is kept here.
    titles = models.JSONField(default=list, help_text="The tables' titles, in the order they were published")
    produced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    produced_at = models.DateTimeField()

    class Meta:
        ordering = ["-produced_at"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                              name="return_period_in_order")]

    def ordered_tables(self) -> list[tuple[str, list]]:
        """(title, rows) in the order the tables were published."""
        titles = self.titles or list(self.tables)
        return [(title, self.tables[title]) for title in titles if title in self.tables]


class ResearchProject(models.Model):
    """A research project that receives pseudonymised extracts (P12). Its key is held outside the database
    (`EARLYHELP_RESEARCH_KEY_DIR`) and destroyed when the project ends; an ended project gets nothing more."""

    reference = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    recipient = models.CharField(max_length=40, help_text="A recipient named in the register's research purpose")
    recipient_name = models.CharField(max_length=200, help_text="The organisation receiving the extracts")
    purpose = FreeTextField(max_length=SHORT_TEXT_MAX_LENGTH, help_text="What the research is for, as agreed with the recipient")
    starts_on = models.DateField()
    ends_on = models.DateField()
    columns = models.JSONField(default=list, help_text="The columns the project may receive (deny by default)")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    key_destroyed_at = models.DateTimeField(null=True, blank=True)
    key_destroyed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                         help_text="Empty when the nightly job destroyed it at the end date")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "reference"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="research_project_dates_in_order")]

    def __str__(self):
        return self.title


class ExportFile(models.Model):
    """A file about many families waiting to be collected (a National Impact Study transfer or a research extract).

    It lives in `EARLYHELP_EXPORT_DIR` under a random name, readable by the service only; it can be downloaded once
    (and is removed from the disk as it is sent) and is removed unread when it expires. The manifest
    (`privacy.DatasetDisclosure`) stays: it is the council's record of what was sent."""

    disclosure = models.OneToOneField("privacy.DatasetDisclosure", on_delete=models.PROTECT, related_name="export_file")
    stored_name = models.CharField(max_length=80, unique=True, help_text="The random name of the file on disk")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When the file left the disk")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(downloaded_at__isnull=True, downloaded_by__isnull=True)
                                              | Q(downloaded_at__isnull=False, downloaded_by__isnull=False),
                                              name="export_file_downloaded_by_someone")]

    def __str__(self):
        return f"Export file {self.pk}"

    @property
    def is_available(self) -> bool:
        return self.removed_at is None
