from django.core.management.base import BaseCommand

from earlyhelp.web.jobs import end_dead_jobs


class Command(BaseCommand):
    help = ("End background jobs whose worker died (no heartbeat for EARLYHELP_JOB_DEAD_AFTER_SECONDS) and delete "
            "their stored files, or queue them again once (the kinds in EARLYHELP_REQUEUE_DEAD_JOBS). run_worker does "
            "this as it starts; schedule this nightly as well.")

    def handle(self, *args, **options):
        ended = end_dead_jobs()
        self.stdout.write(", ".join(f"{kind}: {count}" for kind, count in ended.items()))
