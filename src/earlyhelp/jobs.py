"""Background jobs that recover from a worker that died (issue 16).

Each job is a row of its own model (a partner file's `ImportBatch`, a `LinkageRun`, a retention `SweepRun`, a
`SubjectAccessBuild`) with a status and `updated_at`. While a job runs, `heartbeat` touches its `updated_at` every
EARLYHELP_JOB_HEARTBEAT_SECONDS from a thread of its own, whatever the job is doing (Splink can take minutes
between two progress updates). A running job not touched for EARLYHELP_JOB_DEAD_AFTER_SECONDS has lost its worker
(killed, out of memory, the machine restarted): `dead_since()` is the moment before which it counts as dead, and
each app ends its own dead jobs (failed, with its stored files deleted) when a worker starts and every heartbeat
period while it runs (`manage.py run_worker`), when a job of that kind is started, and from the nightly sweep.
`web/tests/test_killed_worker.py` kills real workers to prove it.

A dead job is failed, or, for the kinds listed in EARLYHELP_REQUEUE_DEAD_JOBS, queued again once (`requeues`): its
`requeued_at` says so, and a second death fails it.

Cancelling is a change of status by a person: the job notices at its next step (its status is no longer the
running one) and stops, leaving nothing half-written (`Cancelled`).
"""

import contextlib
import datetime
import logging
import threading

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)


INTERRUPTED = "Interrupted"  # a job's `failure` when its worker died
CANCELLED = "Cancelled"  # a job's `failure` when a person cancelled it


# The kinds of job, as EARLYHELP_REQUEUE_DEAD_JOBS names them (settings.EARLYHELP_JOB_KINDS).
IMPORTS, LINKAGE, SWEEPS, PACKS = "imports", "linkage", "sweeps", "packs"
RESTARTING = "Starting again: the worker running it stopped before it finished"


def requeues(kind: str, *, requeued_at: datetime.datetime | None) -> bool:
    """Whether a dead job of this kind is queued again rather than failed: its kind is listed, and it has not been
    queued again before. At most once: a job that took its worker's memory would take the next worker's too, and
    round again for ever."""
    if kind not in settings.EARLYHELP_JOB_KINDS:
        raise ValueError(f"Not a kind of job: {kind}")
    return kind in settings.EARLYHELP_REQUEUE_DEAD_JOBS and requeued_at is None


class Requeueable(models.Model):
    """A job that may be queued again once after its worker died (`requeues`)."""

    requeued_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When it was queued again after its worker died (at most once)")

    class Meta:
        abstract = True

    @property
    def restarting(self) -> str:
        """What its pages say while it waits to run again; empty otherwise."""
        return RESTARTING if self.requeued_at and self.status == "queued" else ""


@dataclass(frozen=True)
class Ended:
    """How many dead jobs of a kind were failed, and how many queued again."""

    failed: int = 0
    requeued: int = 0

    def __str__(self):
        return f"{self.failed} failed, {self.requeued} queued again"


class WorkerDied(Exception):
    """Recorded on the task row of a job whose worker died (killed, out of memory): never raised."""


class Cancelled(Exception):
    """The job's status changed under it (a person cancelled it, or it was ended as dead): stop, write nothing."""


def dead_since() -> datetime.datetime:
    """A running job last touched before this moment has lost its worker."""
    return timezone.now() - datetime.timedelta(seconds=settings.EARLYHELP_JOB_DEAD_AFTER_SECONDS)


@contextlib.contextmanager
def heartbeat(model, pk, *, running: str):
    """Touch the job's `updated_at` every EARLYHELP_JOB_HEARTBEAT_SECONDS while it is `running` (0: never, as in
    the tests, whose rows no other connection can see)."""
    every = settings.EARLYHELP_JOB_HEARTBEAT_SECONDS
    if every <= 0:
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                try:
                    model.objects.filter(pk=pk, status=running).update(updated_at=timezone.now())
                except DatabaseError as error:
                    # Locked or lost for a moment: beat again next time. A heartbeat stopped for good would have
                    # its live job ended as dead within a minute.
                    logger.warning("Heartbeat of %s %s missed: %s", model.__name__, pk, type(error).__name__)
                    connection.close()  # opened afresh for the next beat
        finally:
            close_old_connections()
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
