"""Data matching: partner datasets imported in batches, linkage runs, and the candidates they propose.

A batch is imported whole or not at all (`imports`); its rows are `SourceRecord`s, each keeping the partner's
facts as they arrived. A `LinkageRun` compares source records with the person index (`linkage`, Splink) and
keeps each pair above the review threshold as a `MatchCandidate`, with its explanation. Nothing is linked by
the system: every candidate is a `privacy.Suggestion` that a person confirms or rejects (P13); only then does
`SourceRecord.person` point at someone.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from earlyhelp import jobs
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.records.text import PersonNameField

USER = settings.AUTH_USER_MODEL
# Each identifier scheme of the person index, and the column of a partner's record (and of the linkage input)
# that holds it.
IDENTIFIER_FIELDS = {IdentifierScheme.NHS: "nhs_number", IdentifierScheme.NI: "ni_number",
                     IdentifierScheme.UPN: "upn", IdentifierScheme.PNC: "pnc"}


class DatasetType(models.TextChoices):
    """The partner datasets named in the Shropshire Early Help privacy notice (seed 004)."""

    POLICE_DOMESTIC_ABUSE = "police_domestic_abuse", "Police: domestic abuse incidents"
    POLICE_ASB = "police_asb", "Police: anti-social behaviour"
    POLICE_OFFENDING = "police_offending", "Police: offending"
    YOUTH_CRIME = "youth_crime", "Police and youth justice: young people involved in crime"
    SCHOOL_ATTENDANCE = "school_attendance", "Schools: attendance"
    SCHOOL_EXCLUSIONS = "school_exclusions", "Schools: suspensions and exclusions"
    EHCP = "ehcp", "Education, health and care plans"
    EARLY_YEARS_TWO = "early_years_two", "Early years: funded places for two-year-olds"
    EARLY_YEARS_THREE_FOUR = "early_years_three_four", "Early years: funded places for three- and four-year-olds"
    CSC_INVOLVEMENT = "csc_involvement", "Children's social care: assessments and plans"
    DWP_OUT_OF_WORK = "dwp_out_of_work", "DWP: adults out of work"
    HOUSING_ARREARS = "housing_arrears", "Housing: rent arrears"
    HOUSING_HOMELESSNESS = "housing_homelessness", "Housing: risk of homelessness"
    NEET = "neet", "Young people not in education, employment or training"


# How sensitive each dataset's facts are (P16): police and youth justice records are criminal offence data;
# EHCPs, social care involvement and school exclusions (often for behaviour linked to SEN) are special category.
CRIMINAL_DATASETS = frozenset({DatasetType.POLICE_DOMESTIC_ABUSE, DatasetType.POLICE_ASB,
                               DatasetType.POLICE_OFFENDING, DatasetType.YOUTH_CRIME})
SPECIAL_CATEGORY_DATASETS = frozenset({DatasetType.EHCP, DatasetType.CSC_INVOLVEMENT, DatasetType.SCHOOL_EXCLUSIONS})


def sensitivity_of_dataset(dataset_type: str) -> str:
    if dataset_type in CRIMINAL_DATASETS:
        return "criminal"
    return "special" if dataset_type in SPECIAL_CATEGORY_DATASETS else "ordinary"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be checked"
    VALIDATING = "validating", "Being checked"
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected: nothing imported"


class ImportBatch(jobs.Requeueable):
    """One partner file: checked row by row against its dataset's schema, then imported whole or not at all.

    A rejected batch keeps its error report (row, column, problem; never a value from the file) and no rows.
    """

    dataset_type = models.CharField(max_length=40, choices=DatasetType.choices)
    source_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                            related_name="+", help_text="The partner that sent the file")
    received_on = models.DateField(help_text="The day the partner sent the file")
    purpose = models.ForeignKey("privacy.ProcessingPurpose", on_delete=models.PROTECT, related_name="+",
                                help_text="The purpose in the processing register the data is used for")
    agreement = models.ForeignKey("privacy.DataSharingAgreement", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="import_batches",
                                  help_text="The data-sharing agreement it arrived under (empty for files imported "
                                            "before agreements were kept in the register)")
    sharing_agreement_reference = models.CharField(max_length=100,
                                                   help_text="The agreement's reference as cited (typed in free text "
                                                             "for files imported before the register)")
    file_name = models.CharField(max_length=200, help_text="The file's name as uploaded")
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    file_sha256 = models.CharField(max_length=64, help_text="Fingerprint of the file's bytes: the same file twice "
                                                            "is refused")
    stored_file = models.CharField(max_length=200, blank=True,
                                   help_text="Where the upload waits until it is checked; emptied afterwards")
    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True,
                              help_text="Row, column and problem for each error (capped); never a value from the file")
    imported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["file_sha256"], condition=Q(status="imported"),
                                    name="import_batch_file_imported_once"),
            models.CheckConstraint(condition=Q(processed_rows__lte=F("total_rows")),
                                   name="import_batch_processed_within_total"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"DM-{self.pk:05d}"

    @property
    def percent(self) -> int:
        if self.status in (BatchStatus.IMPORTED, BatchStatus.REJECTED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_running(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.VALIDATING)


class SourceRecord(models.Model):
    """One row of a partner's file: who it is about, as the partner recorded them, and the facts it gives."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveIntegerField(help_text="The row in the partner's file (the header is row 1)")
    source_record_id = models.CharField(max_length=60, db_comment="Personal data: the partner's own reference "
                                                                  "for the person or event")
    # The person-name rule (records.text) holds here too: the import's check refuses the row first, by row and column.
    given_name = PersonNameField(max_length=100, db_comment="Personal data: given name as the partner holds it")
    family_name = PersonNameField(max_length=100, db_comment="Personal data: family name as the partner holds it")
    date_of_birth = models.DateField(null=True, blank=True,
                                     db_comment="Personal data: date of birth as the partner holds it")
    gender = models.CharField(max_length=20, blank=True, db_comment="Personal data: gender as the partner holds it")
    address_line_1 = models.CharField(max_length=200, blank=True,
                                      db_comment="Personal data: address as the partner holds it")
    postcode = models.CharField(max_length=8, blank=True, db_comment="Personal data: postcode as the partner holds it")
    nhs_number = models.CharField(max_length=10, blank=True, db_comment="Personal data: NHS number")
    ni_number = models.CharField(max_length=9, blank=True, db_comment="Personal data: National Insurance number")
    upn = models.CharField(max_length=13, blank=True, db_comment="Personal data: Unique Pupil Number")
    pnc = models.CharField(max_length=20, blank=True, db_comment="Personal data: Police National Computer number")
    facts = models.JSONField(default=dict, db_comment="Special category or criminal offence data: the dataset's "
                                                      "facts (incidents, offending, attendance, EHCP, benefits, housing)")
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="partner_records",
                               help_text="Set only when a person confirms the link (P13)")
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    linked_at = models.DateTimeField(null=True, blank=True)
    new_person_suggestion = models.OneToOneField(
        "privacy.Suggestion", on_delete=models.PROTECT, null=True, blank=True, related_name="new_person_record",
        help_text="A proposal to add this record to the person index as someone new, decided by a person")

    class Meta:
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="source_record_row_once"),
            models.CheckConstraint(
                condition=Q(person__isnull=True, linked_by__isnull=True, linked_at__isnull=True)
                | Q(person__isnull=False, linked_by__isnull=False, linked_at__isnull=False),
                name="source_record_linked_by_a_person"),
        ]

    def __str__(self):
        return f"Source record {self.pk}"

    @property
    def facts_sensitivity(self) -> str:
        """How sensitive this record's facts are (privacy.classification reads it): the dataset's class."""
        return sensitivity_of_dataset(self.batch.dataset_type)

    @property
    def fact_rows(self) -> list[tuple[str, str]]:
        """The dataset's facts as (label, value) for a page, labelled as the dataset's schema names them."""
        from .schemas import fact_labels  # schemas imports this module's DatasetType: circular at the top

        labels = fact_labels(self.batch.dataset_type)
        return [(labels.get(name, name.replace("_", " ").capitalize()), value) for name, value in self.facts.items()
                if value not in (None, "")]

    @property
    def identity_digest(self) -> str:
        """Stands for 'this partner's record of this person' across files, without holding the reference itself:
        a pair rejected once is never proposed again, even when the partner sends the record in a later file."""
        raw = f"{self.batch.source_organisation_id}:{self.batch.dataset_type}:{self.source_record_id}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


class Backend(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB (one server)"
    SPARK = "spark", "Apache Spark (consortium scale)"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed: no candidates kept"


class LinkageRun(jobs.Requeueable):
    """One comparison of imported source records with the person index. Counts and model parameters only."""

    backend = models.CharField(max_length=10, choices=Backend.choices)
    batches = models.ManyToManyField(ImportBatch, related_name="linkage_runs")
    threshold = models.FloatField(help_text="Pairs at or above this match probability go to the review queue")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the run is doing now")
    percent = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    model = models.JSONField(default=dict, blank=True,
                             help_text="The trained linkage model (Splink settings with m and u values)")
    stats = models.JSONField(default=dict, blank=True, help_text="Counts and timings only")
    evaluation = models.JSONField(default=dict, blank=True,
                                  help_text="Precision and recall against the pairs people have reviewed")
    failure = models.CharField(max_length=100, blank=True, help_text="The kind of error, never its message")
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="linkage_run_percent_at_most_100"),
            models.CheckConstraint(condition=Q(threshold__gt=0) & Q(threshold__lte=1),
                                   name="linkage_run_threshold_is_a_probability"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"LR-{self.pk:05d}"

    @property
    def is_running(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def was_cancelled(self) -> bool:
        return self.failure == jobs.CANCELLED


class MatchCandidate(models.Model):
    """A pair the model scored at or above the review threshold, waiting for a person (its `suggestion`)."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="candidates")
    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="match_candidates")
    match_probability = models.FloatField()
    match_weight = models.FloatField(help_text="log2 of the Bayes factor: how much more likely a match than not")
    explanation = models.JSONField(help_text="Each comparison: what agreed, and how much it counted (match weight)")
    suggestion = models.OneToOneField("privacy.Suggestion", on_delete=models.PROTECT, related_name="match_candidate")

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "record", "person"], name="match_candidate_pair_once_per_run"),
            models.CheckConstraint(condition=Q(match_probability__gte=0) & Q(match_probability__lte=1),
                                   name="match_candidate_probability"),
        ]

    def __str__(self):
        return f"Match candidate {self.pk}"


def link_suggestion_key(record: SourceRecord, person_id: int) -> str:
    return f"link:{record.identity_digest}:{person_id}"


def new_person_suggestion_key(record: SourceRecord) -> str:
    return f"new:{record.identity_digest}"
