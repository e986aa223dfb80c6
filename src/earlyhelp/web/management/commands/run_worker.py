import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from earlyhelp.web.jobs import end_dead_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("The background worker: ends the jobs of workers that died (and deletes their stored files), or queues "
            "them again once (EARLYHELP_REQUEUE_DEAD_JOBS), as it starts "
            "and every EARLYHELP_JOB_HEARTBEAT_SECONDS while it runs, and runs django-tasks' db_worker with the "
            "options given after --, e.g. run_worker -- --queue-name default.")

    def add_arguments(self, parser):
        parser.add_argument("worker_options", nargs="*", help="options for db_worker")

    def handle(self, *args, worker_options=(), **options):
        ended = end_dead_jobs()
        self.stdout.write("Jobs of workers that died: " + ", ".join(f"{kind}: {count}" for kind, count in ended.items()))
        # A worker restarted at once after a kill (systemd's Restart=always) finds its last job not yet silent for
        # EARLYHELP_JOB_DEAD_AFTER_SECONDS: keep looking while it runs, or that job waits for the nightly run.
        stop = threading.Event()
        every = settings.EARLYHELP_JOB_HEARTBEAT_SECONDS
        if every > 0:
            threading.Thread(target=_keep_ending_dead_jobs, args=(stop, every), name="end-dead-jobs",
                             daemon=True).start()
        try:
            call_command("db_worker", *worker_options)
        finally:
            stop.set()


def _keep_ending_dead_jobs(stop: threading.Event, every: int) -> None:
    while not stop.wait(every):
        try:
            end_dead_jobs()
        except Exception as error:  # noqa: BLE001 (the database may be away for a while: try again next time)
            logger.error("Ending dead jobs failed: %s", type(error).__name__)  # never the message
        finally:
            connections.close_all()  # this thread's own connections
