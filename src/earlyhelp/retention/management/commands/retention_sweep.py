"""Run the retention sweep (cron calls this every day).

By default the sweep is queued for the background worker (`manage.py db_worker`); `--now` runs it here and
prints its report. Either way the run and its progress show on the Sweeps page, and nothing is disposed of:
the sweep only builds batches for the DPO to approve or reject.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.retention.services import sweep


class Command(BaseCommand):
    help = "Find records due for disposal under the retention rules and list them for the DPO's decision."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true",
                            help="Run the sweep in this process instead of queueing it for the background worker")

    def handle(self, *args, now, **options):
        try:
            run = sweep.run_sweep() if now else sweep.start_sweep()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        run.refresh_from_db()
        if run.is_running:
            self.stdout.write(f"Sweep {run.reference} is queued for the background worker (as of {run.as_of:%d/%m/%Y}).")
            return
        self.stdout.write(f"Sweep {run.reference} {run.get_status_display().lower()} as of {run.as_of:%d/%m/%Y}: "
                          f"{run.total} families due under the rules in use.")
        for entry in run.report.get("rules", []):
            self.stdout.write(f"  {entry['rule']}: {entry['due']} due, {entry['held']} held, "
                              f"{entry['already_proposed']} already in a batch, {entry['recently_decided']} decided "
                              f"this year, {entry['proposed']} proposed"
                              + (f" in {entry['batch']}" if entry["batch"] else ""))
