"""Load the preset retention rules into a new installation (rules already there are left as they are)."""

from django.core.management.base import BaseCommand

from earlyhelp.retention import presets


class Command(BaseCommand):
    help = ("Add the preset retention rules (CASE+6, CONTACT+6 in use; DOB+25, DOB+30 loaded switched off) "
            "that this database does not have yet.")

    def handle(self, *args, **options):
        added = presets.load_presets()
        if not added:
            self.stdout.write("Every preset rule is already loaded: nothing to do.")
            return
        for rule in added:
            self.stdout.write(f"Added {rule.code}: {rule.describe().lower()}"
                              f"{'' if rule.is_active else ' (switched off)'}.")
