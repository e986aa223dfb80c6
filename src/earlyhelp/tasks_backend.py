"""A django-tasks backend for a developer's machine and the demo: tasks run in a background thread of the web
process, after the transaction that queued them commits. (And the log filter every backend's failures go through.)

Production runs the database backend and `manage.py db_worker` (settings.TASKS). On a laptop that is a second
process to start and stop; the immediate backend needs none but runs the task inside the request, so building a
subject access pack or a linkage run left a blank page for many seconds. This backend keeps one process and still
answers at once: the request queues the job and redirects to its progress page, and one worker thread runs the
jobs in order (one at a time, as a single `db_worker` would, so SQLite sees one background writer).

Results live in memory only (this process's): the pages read a job's progress from its own record (the run, the batch, the pack
build), never from the task result. A job interrupted by a restart (runserver reloads on a code change) is left
queued or running; the same stale-job rules that cover a dead worker in production end it.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy

from django.db import close_old_connections, connections, transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import get_random_id

logger = logging.getLogger(__name__)


# One worker thread and one record of results for the whole process: django-tasks makes a backend instance per
# request thread (runserver answers each request in its own thread).
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="earlyhelp-task")
_results: dict[str, TaskResult] = {}
_lock = threading.Lock()


class ExceptionKindOnly(logging.Filter):
    """django-tasks logs a failed task with its traceback, and an error's text may hold personal data: the log
    keeps the kind of error only (settings.LOGGING puts this on the django-tasks loggers, in production too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} ({type(record.exc_info[1]).__name__})"
            record.exc_info, record.exc_text = None, None
        return True


class ThreadBackend(ImmediateBackend):
    """Runs each task in the web process's background thread once the queuing transaction commits."""

    supports_get_result = True

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None,
                            started_at=None, last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs,
                            backend=self.alias, errors=[], worker_ids=[])
        with _lock:
            _results[result.id] = result
        # After commit, as a worker would see it: the task reads the rows the request has just written.
        transaction.on_commit(lambda: _executor.submit(self._run, result), robust=True)
        return deepcopy(result)

    def _run(self, result: TaskResult) -> None:
        close_old_connections()
        try:
            self._execute_task(result)  # records a failure on the result rather than raising
            if result.status == TaskResultStatus.FAILED:
                logger.error("Background task %s failed: %s", result.task.name,
                             result.errors[-1].exception_class_path)  # never the message: it may hold data
        finally:
            connections.close_all()  # this thread's connections, so SQLite's file is not held open

    def get_result(self, result_id: str) -> TaskResult:
        with _lock:
            if result_id not in _results:
                raise TaskResultDoesNotExist(result_id)
            return deepcopy(_results[result_id])

    def wait(self, timeout: float | None = None) -> None:
        """Block until every job queued so far has run (for tests of this backend)."""
        _executor.submit(lambda: None).result(timeout=timeout)
