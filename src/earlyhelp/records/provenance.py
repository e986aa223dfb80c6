"""Where a piece of information came from, so the family can be told who gave it and why (P17).

Person, family and casework records all carry it, so it lives below every app that holds them.
"""

from django.db import models


class SourceKind(models.TextChoices):
    FAMILY = "family", "The family"
    PARTNER = "partner", "A partner organisation"
    PRACTITIONER = "practitioner", "Our practitioner"
    DATA_MATCH = "data_match", "A data match"


class Provenance(models.Model):
    """Where a piece of information came from, so the family can be told who gave it and why (P17)."""

    source_kind = models.CharField("Where this information came from", max_length=20, choices=SourceKind.choices,
                                   default=SourceKind.FAMILY)
    source_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+",
                                            help_text="The partner organisation that gave it")
    source_reference = models.CharField(max_length=120, blank=True,
                                        help_text="The import batch, referral or request it arrived with",
                                        db_comment="Personal data: the source's reference, which may identify the "
                                                   "person in the source's own records")

    class Meta:
        abstract = True

    def provenance_errors(self) -> dict:
        if self.source_kind not in SourceKind.values:
            return {"source_kind": "Choose where this information came from"}
        if self.source_kind == SourceKind.PARTNER and self.source_organisation_id is None:
            return {"source_organisation": "Choose the partner organisation the information came from"}
        return {}

    @property
    def source_label(self) -> str:
        if self.source_kind == SourceKind.PARTNER and self.source_organisation_id:
            return self.source_organisation.name
        return self.get_source_kind_display()
