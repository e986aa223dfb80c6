"""Nightly: end research projects whose end date has passed (their keys are overwritten and deleted, and the
destruction recorded), and remove National Impact Study and research files not collected before they expired."""

from django.core.management.base import BaseCommand

from earlyhelp.reporting.services import files, research


class Command(BaseCommand):
    help = "End research projects past their end date (destroying their keys) and remove expired export files"

    def handle(self, *args, **options):
        ended = research.end_due_projects()
        removed = files.purge()
        self.stdout.write(f"Research projects ended: {len(ended)}. Export files removed: {removed}.")
