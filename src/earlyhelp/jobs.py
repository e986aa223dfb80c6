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

A worker frozen rather than killed (stopped, its machine paused, a long stall) past the limit may wake to find its
job queued again and running under a new worker: the same status, but a new `requeued_at`. So each run of a job is
a `Run`, claimed by `start`, carrying the `requeued_at` it started with, and every "still mine" check and every
write of the run (its progress, its results, its end) goes through `Run.update`, which matches both: the old run
stops at its next step and writes nothing.
"""

import contextlib
import datetime
import logging
import threading

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, models, transaction
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


def requeue(model, pk, *, running: str, queued: str, reset: dict, enqueue, also=None) -> int:
    """Queue a dead job again (`requeues` said so): back to `queued` with `reset` (its progress), its `requeued_at`
    set, and `enqueue()` called once that has committed; `also()`, if given, runs in the same transaction (a sweep
    drops its half-built batch). The row is claimed with a conditional update, so of two workers that find the job
    dead only one queues it. No audit event: ending a dead job writes none either (the worker, not a person, changes
    it; the job's own fields record it). Returns 1 if this call queued it, else 0. Call it outside any transaction."""
    now = timezone.now()
    with transaction.atomic():
        claimed = model.objects.filter(pk=pk, status=running, updated_at__lt=dead_since()).update(
            status=queued, requeued_at=now, updated_at=now, **reset)
        if claimed and also:
            also()
    if claimed:
        enqueue()
    return claimed


@dataclass(frozen=True)
class Run:
    """One run of a job: its row, the status it runs under and the `requeued_at` it started with."""

    model: type
    pk: int
    running: str
    requeued_at: datetime.datetime | None

    def mine(self):
        """The job's row while it is still this run's: running, and not queued again since this run started (a
        frozen worker's job may be running again under another worker, with the same status)."""
        return self.model.objects.filter(pk=self.pk, status=self.running, requeued_at=self.requeued_at)

    def update(self, **fields) -> None:
        """Write `fields` (and a fresh `updated_at`) to the job's row if it is still this run's; otherwise raise
        `Cancelled`. Call it first in a transaction that writes the run's results: the update holds the row
        (PostgreSQL's row lock, SQLite's write lock) until the transaction ends, so nobody can cancel or queue
        the job again between the check and the results."""
        if not self.mine().update(**{"updated_at": timezone.now(), **fields}):
            raise Cancelled

    def still_mine(self) -> None:
        """Raise `Cancelled` if the job is no longer this run's (`update`, writing only the heartbeat)."""
        self.update()

    def superseded(self) -> bool:
        """Queued again since this run started: the job, and whatever it is building or needs (an import's
        stored file, a sweep's half-built batch), belongs to the next run now, not to this one."""
        return not self.model.objects.filter(pk=self.pk, requeued_at=self.requeued_at).exists()


def start(model, pk, *, queued: str, running: str, **fields) -> Run | None:
    """Claim a waiting job for a run of it (its status `queued` becomes `running`, with `fields`); None if it is not
    waiting (the task ran twice, or the job was cancelled). `updated_at` too: a job that waited in the queue longer
    than the dead-job limit would otherwise count as dead until its first heartbeat."""
    with transaction.atomic():
        if not model.objects.filter(pk=pk, status=queued).update(status=running, updated_at=timezone.now(),
                                                                  **fields):
            return None
        requeued_at = model.objects.filter(pk=pk).values_list("requeued_at", flat=True).get()
    return Run(model=model, pk=pk, running=running, requeued_at=requeued_at)


@contextlib.contextmanager
def heartbeat(run: Run):
    """Touch the job's `updated_at` every EARLYHELP_JOB_HEARTBEAT_SECONDS while it is still this run's (0: never, as
    in the tests, whose rows no other connection can see). A frozen worker's heartbeat, waking, must not keep alive
    a job now another run's."""
    every = settings.EARLYHELP_JOB_HEARTBEAT_SECONDS
    if every <= 0:
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                try:
                    run.mine().update(updated_at=timezone.now())
                except DatabaseError as error:
                    # Locked or lost for a moment: beat again next time. A heartbeat stopped for good would have
                    # its live job ended as dead within a minute.
                    logger.warning("Heartbeat of %s %s missed: %s", run.model.__name__, run.pk,
                                   type(error).__name__)
                    connection.close()  # opened afresh for the next beat
        finally:
            close_old_connections()
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{run.model.__name__}-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
