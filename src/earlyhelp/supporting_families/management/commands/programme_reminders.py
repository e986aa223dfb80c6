"""Nightly: screen families for the shortlist, and report what waits for the data team (counts only: no personal
data in the output, which ends up in logs)."""

from django.core.management.base import BaseCommand

from earlyhelp.programme.models import ProgrammeRules
from earlyhelp.supporting_families.services import shortlist, sustainment


class Command(BaseCommand):
    help = "Screen families for the Supporting Families shortlist and report sustainment checks due (counts only)"

    def handle(self, *args, **options):
        proposed = shortlist.propose_shortlist()
        waiting = shortlist.pending_proposals().values("household_id").distinct().count()
        due = sustainment.counts()
        days = ProgrammeRules.current().sustainment_reminder_days
        self.stdout.write(f"Shortlist: {len(proposed)} new proposal(s); {waiting} famil{'y' if waiting == 1 else 'ies'} "
                          f"waiting for a decision.")
        self.stdout.write(f"Sustainment checks: {due['overdue']} overdue, {due['due']} due today, {due['soon']} due in "
                          f"the next {days} day(s).")
