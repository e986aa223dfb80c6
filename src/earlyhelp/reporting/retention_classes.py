"""Research extracts and National Impact Study files as a record class for the retention rules (P4).

The register promises our copy of each file sent is kept for 1 year after it is sent (EXTRACT+1). The file itself
leaves the disk when it is collected or expires (`files.purge`, within `EARLYHELP_EXPORT_HOURS`), so a year on only
its row is left, linking the file to the families in it; disposal removes any file still on disk and the row. The
manifest (`privacy.DatasetDisclosure`) stays: it is each family's disclosure log (P17), kept with their case.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from earlyhelp.records.record_classes import DeclaredClass

from .models import ExportFile
from .services.files import export_dir


def _day_after(day):
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def due(cutoff):
    """Files made on or before `cutoff`."""
    return ExportFile.objects.filter(created_at__lt=_day_after(cutoff)).order_by("pk")


def links(ids):
    found = {pk: (set(), set()) for pk in ids}
    for pk, household_id in ExportFile.objects.filter(pk__in=ids).values_list("pk", "disclosure__households"):
        if household_id:
            found[pk][1].add(household_id)
    return found


@transaction.atomic
def dispose(ids, *, by, reason) -> dict:
    files = ExportFile.objects.filter(pk__in=list(ids))
    removed = 0
    for stored_name in files.filter(removed_at__isnull=True).values_list("stored_name", flat=True):
        (export_dir() / stored_name).unlink(missing_ok=True)
        removed += 1
    counts = {label: count for label, count in files.delete()[1].items() if count}
    if removed:
        counts["files"] = removed
    return counts


RECORD_CLASSES = [
    DeclaredClass(record_class="export_files", model="reporting.ExportFile", trigger="file_sent", due=due, links=links,
                  dispose=dispose),
]
