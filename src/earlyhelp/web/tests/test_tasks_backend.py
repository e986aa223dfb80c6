"""The demo's task backend: a job queued by a request runs in a background thread after the request's transaction
commits, so the request answers at once (earlyhelp.tasks_backend.ThreadBackend)."""

import threading

import pytest
from django.db import transaction
from django_tasks import task
from django_tasks.base import TaskResultStatus

from earlyhelp.tasks_backend import ThreadBackend

pytestmark = pytest.mark.django_db  # for transaction.on_commit; the jobs themselves touch no table

started, release = threading.Event(), threading.Event()


@task()
def slow_job(answer: int) -> int:
    started.set()
    release.wait(timeout=10)
    return answer


@task()
def broken_job() -> None:
    raise RuntimeError("an error's text never reaches the log")


def test_a_queued_job_runs_in_the_background_after_commit(django_capture_on_commit_callbacks):
    backend = ThreadBackend("default", {})
    started.clear(), release.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queued = backend.enqueue(slow_job, (), {"answer": 42})
            assert queued.status == TaskResultStatus.READY
        assert not started.is_set()  # nothing runs before the transaction that queued it commits
    assert started.wait(timeout=10)
    assert backend.get_result(queued.id).status == TaskResultStatus.RUNNING  # the request did not wait for it
    release.set()
    backend.wait(timeout=10)
    done = backend.get_result(queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL and done.return_value == 42


def test_a_failing_job_is_recorded_and_logged_by_kind_only(caplog, django_capture_on_commit_callbacks):
    backend = ThreadBackend("default", {})
    with django_capture_on_commit_callbacks(execute=True):
        queued = backend.enqueue(broken_job, (), {})
    backend.wait(timeout=10)
    assert backend.get_result(queued.id).status == TaskResultStatus.FAILED
    assert "RuntimeError" in caplog.text and "never reaches" not in caplog.text
