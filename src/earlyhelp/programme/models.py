"""Supporting Families outcomes framework: headline areas as data, versioned labels."""

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
