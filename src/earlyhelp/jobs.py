"""Background jobs that recover from a worker that died (issue 16).

Each job is a row of its own model (a partner file's `ImportBatch`, a `LinkageRun`, a retention `SweepRun`, a
`SubjectAccessBuild`) with a status and `updated_at`. While a job runs, `heartbeat` touches its `updated_at` every
EARLYHELP_JOB_HEARTBEAT_SECONDS from a thread of its own, whatever the job is doing (Splink can take minutes
between two progress updates). A running job not touched for EARLYHELP_JOB_DEAD_AFTER_SECONDS has lost its worker
(killed, out of memory, the machine restarted): `dead_since()` is the moment before which it counts as dead, and
each app ends its own dead jobs (failed, with its stored files deleted) when a worker starts and every heartbeat
period while it runs (`manage.py run_worker`), when a job of that kind is started, and from the nightly sweep.
`web/tests/test_killed_worker.py` kills real workers to prove it.

Cancelling is a change of status by a person: the job notices at its next step (its status is no longer the
running one) and stops, leaving nothing half-written (`Cancelled`).
"""

import contextlib
import datetime
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


INTERRUPTED = "Interrupted"  # a job's `failure` when its worker died
CANCELLED = "Cancelled"  # a job's `failure` when a person cancelled it


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
