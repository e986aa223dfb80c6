from django.core.management import call_command
from django.core.management.base import BaseCommand

from earlyhelp.web.jobs import end_dead_jobs


class Command(BaseCommand):
    help = ("The background worker: first ends the jobs of workers that died (and deletes their stored files), then "
            "runs django-tasks' db_worker with the options given after --, e.g. run_worker -- --queue-name default.")

    def add_arguments(self, parser):
        parser.add_argument("worker_options", nargs="*", help="options for db_worker")

    def handle(self, *args, worker_options=(), **options):
        ended = end_dead_jobs()
        self.stdout.write("Jobs of workers that died: " + ", ".join(f"{kind} {count}" for kind, count in ended.items()))
        call_command("db_worker", *worker_options)
