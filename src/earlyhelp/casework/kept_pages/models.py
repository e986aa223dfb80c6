"""The tables behind kept family pages. Nothing here is a record: each row is derived from the family's record and is
deleted with the change that makes it out of date (`triggers`), so the record itself stays the one source."""

from django.db import models


class FamilyVersion(models.Model):
    """Goes up with every change to a row the family page shows, by a database trigger (`triggers`), so no write,
    from a service, a data migration or a query set's update, can leave a kept page behind. No foreign key: the row of
    a family being deleted is removed by the family's own trigger, before the family's row is gone."""

    household_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=1)


class RecordEpoch(models.Model):
    """One row (id 1): goes up with every change to what many families' pages show (staff names, teams,
    organisations, the council's rules), by a database trigger."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    epoch = models.BigIntegerField(default=0)


class KeptFamilyPage(models.Model):
    """One viewer's family page, as rendered for the family's version, the record epoch, the day and the viewer's
    access (`access_key`, with the code's digest), without its per-request parts (`ui.kept`). At most one per family
    and viewer."""

    household_id = models.BigIntegerField()
    viewer_id = models.BigIntegerField()
    version = models.BigIntegerField()
    epoch = models.BigIntegerField()
    day = models.DateField()
    access_key = models.CharField(max_length=64)
    html = models.TextField()
    kept_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household_id", "viewer_id"], name="kept_family_page_viewer")]
