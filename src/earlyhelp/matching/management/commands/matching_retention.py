"""Delete partner records that led to nobody a year after they arrived (the data matching retention promise)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from earlyhelp.matching.retention import delete_expired_unlinked_records


class Command(BaseCommand):
    help = "Delete partner records nobody linked to a person, a year after they arrived. Schedule it nightly."

    def handle(self, *args, **options):
        deleted = delete_expired_unlinked_records(timezone.localdate())
        self.stdout.write(f"Deleted {deleted:,} partner record{'s' if deleted != 1 else ''} that led to nobody.")
