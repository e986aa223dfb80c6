"""Kept so that a schedule that still calls it does not fail: partner records that led to nobody are now disposed
of under the retention rule for partner files (PARTNER+1), which the nightly `retention_sweep` proposes and the DPO
approves, like every other disposal. This command deletes nothing."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("No longer deletes anything: partner records that led to nobody are disposed of under the retention "
            "rule for partner files, through `manage.py retention_sweep` and the DPO's approval.")

    def handle(self, *args, **options):
        self.stdout.write("Partner records that led to nobody are disposed of under the retention rule for partner "
                          "files: run `manage.py retention_sweep` nightly instead. Nothing was deleted.")
