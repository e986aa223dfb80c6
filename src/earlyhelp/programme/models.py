"""Supporting Families outcomes framework: headline areas as data, versioned labels."""

from django.conf import settings
from django.db import models


class HeadlineArea(models.Model):
    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    # Special category or criminal offence data: partners see only that something is recorded.
    sensitivity = models.CharField(
        max_length=20,
        choices=[("ordinary", "Ordinary"), ("special", "Special category"), ("criminal", "Criminal offence")],
        default="ordinary",
    )

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.label

    @property
    def is_sensitive(self):
        return self.sensitivity != "ordinary"


class EligibleArea(models.Model):
    """A headline area the family meets for Supporting Families, confirmed by a named person (P13)."""

    episode = models.ForeignKey("casework.Episode", on_delete=models.PROTECT, related_name="eligible_areas")
    area = models.ForeignKey(HeadlineArea, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    suggestion = models.OneToOneField("privacy.Suggestion", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="eligible_area")

    class Meta:
        ordering = ["area__order"]
        constraints = [models.UniqueConstraint(fields=["episode", "area"], name="eligible_area_once_per_episode")]
