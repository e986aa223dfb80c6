"""Nightly: delete kept family pages made before today (none of them can be served again: `casework.kept_pages`)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from earlyhelp.casework.kept_pages import store


class Command(BaseCommand):
    help = "Delete kept family pages made before today."

    def handle(self, *args, **options):
        deleted = store.forget_before(timezone.localdate())
        self.stdout.write(f"{deleted} kept family pages from earlier days deleted.")
