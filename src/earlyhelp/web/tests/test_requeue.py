"""Dead jobs queued again (issue 16, item 1): for the kinds the council lists in EARLYHELP_REQUEUE_DEAD_JOBS, a job
whose worker died goes back to waiting (its progress reset, its pages saying it is starting again), a new task is
enqueued as starting one does, and it runs to the end; it is queued again at most once, so a second death fails it;
an import queued again keeps its stored file, and cancelling it still deletes the file; the dead worker's task row
is failed. With the setting empty every dead job is failed, as `test_jobs.py` shows."""

import datetime
import importlib
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from earlyhelp import jobs
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import BatchStatus, ImportBatch, LinkageRun, RunStatus, SourceRecord
from earlyhelp.retention.models import SweepRun, SweepStatus
from earlyhelp.retention.services import sweep
from earlyhelp.rights.models import BuildStatus, SubjectAccessBuild
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.web.jobs import TASKS

from .conftest import QUEUEING

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
KINDS = [jobs.IMPORTS, jobs.LINKAGE, jobs.SWEEPS, jobs.PACKS]
REFRESH = 'http-equiv="refresh"'


def _dead():
    return timezone.now() - datetime.timedelta(seconds=61)  # a minute without a heartbeat


@pytest.fixture
def dead_job(world, queue_import, queue_build):
    """A job of a kind, queued through its service and part done when its worker died: (job, who follows it, its
    page)."""
    def make(kind):
        if kind == jobs.IMPORTS:
            job, person, page = queue_import(), world.data_team, "matching:batch"
            ImportBatch.objects.filter(pk=job.pk).update(status=BatchStatus.VALIDATING, total_rows=3,
                                                         processed_rows=2)
        elif kind == jobs.LINKAGE:
            records = imports.run_import(queue_import().pk)
            assert records.status == BatchStatus.IMPORTED
            with override_settings(TASKS=QUEUEING):
                job = linkage.start_linkage(by=world.data_team, batches=[records])
            person, page = world.data_team, "matching:run"
            LinkageRun.objects.filter(pk=job.pk).update(status=RunStatus.RUNNING, stage="Scoring pairs", percent=40,
                                                        started_at=timezone.now())
        elif kind == jobs.SWEEPS:
            with override_settings(TASKS=QUEUEING):
                job = sweep.start_sweep(by=world.dpo)
            person, page = world.dpo, "retention:sweep"
            SweepRun.objects.filter(pk=job.pk).update(status=SweepStatus.RUNNING, total=10, processed=5,
                                                      started_at=timezone.now())
        else:
            job, person, page = queue_build(), world.dpo, "web:sar-build-progress"
            SubjectAccessBuild.objects.filter(pk=job.pk).update(status=BuildStatus.RUNNING, stage=sar.REVIEWING,
                                                                percent=60, started_at=timezone.now())
        type(job).objects.filter(pk=job.pk).update(updated_at=_dead())
        job.refresh_from_db()
        return job, person, reverse(page, args=[job.pk])
    return make


def _end_dead_jobs() -> str:
    out = io.StringIO()
    call_command("end_dead_jobs", stdout=out)
    return out.getvalue()


def _progress(job) -> int:
    return getattr(job, "processed_rows", getattr(job, "processed", getattr(job, "percent", None)))


FINISHED = {ImportBatch: BatchStatus.IMPORTED, LinkageRun: RunStatus.FINISHED, SweepRun: SweepStatus.FINISHED,
            SubjectAccessBuild: BuildStatus.FINISHED}
FAILED = {ImportBatch: ("errors", [{"row": 1, "column": "", "problem": imports.INTERRUPTED}]),
          LinkageRun: ("failure", jobs.INTERRUPTED), SweepRun: ("failure", jobs.INTERRUPTED),
          SubjectAccessBuild: ("failure", sar.BUILD_INTERRUPTED)}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_dead_job_of_a_listed_kind_waits_again_with_a_new_task_and_its_pages_say_so(
        client, settings, dead_job, kind):
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, person, page = dead_job(kind)
    stored = getattr(job, "stored_file", "")
    with override_settings(TASKS=QUEUEING):
        said = _end_dead_jobs()
        enqueued = [result.kwargs for result in task_backends["default"].results]
    assert "1 queued again" in said and "0 failed" in said
    job.refresh_from_db()
    assert job.status == "queued" and job.requeued_at is not None and _progress(job) == 0
    assert job.finished_at is None and job.restarting == jobs.RESTARTING
    task, argument, _ = next(entry for entry in TASKS if entry[2] is type(job))
    assert enqueued == [{argument: job.pk}]  # a new task, through the service's own enqueue path
    if stored:
        assert job.stored_file == stored and default_storage.exists(stored)  # needed to check it again
    client.force_login(person)
    shown = client.get(page).content.decode()
    assert jobs.RESTARTING in shown and REFRESH in shown
    listed = client.get(reverse("web:jobs")).content.decode()
    assert jobs.RESTARTING in listed


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_job_queued_again_runs_to_the_end(settings, dead_job, kind):
    """The test settings' task backend runs a task as it is enqueued, as the next worker would."""
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, _, _ = dead_job(kind)
    stored = getattr(job, "stored_file", "")
    _end_dead_jobs()
    job.refresh_from_db()
    assert job.status == FINISHED[type(job)] and job.requeued_at is not None, getattr(job, "failure", "")
    if stored:
        assert SourceRecord.objects.filter(batch=job).count() == 3 and not default_storage.exists(stored)
    if isinstance(job, SubjectAccessBuild):
        assert job.pack is not None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_job_whose_worker_dies_again_is_failed(settings, dead_job, kind):
    """At most once: a job that took its worker's memory would take the next worker's too."""
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, _, _ = dead_job(kind)
    stored = getattr(job, "stored_file", "")
    with override_settings(TASKS=QUEUEING):
        _end_dead_jobs()
        running = {ImportBatch: BatchStatus.VALIDATING}.get(type(job), "running")
        type(job).objects.filter(pk=job.pk).update(status=running, updated_at=_dead())  # claimed, and died again
        said = _end_dead_jobs()
    assert "1 failed" in said
    job.refresh_from_db()
    field, message = FAILED[type(job)]
    assert not job.is_running and getattr(job, field) == message and job.finished_at is not None
    if stored:
        assert job.stored_file == "" and not default_storage.exists(stored)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_job_queued_again_can_be_cancelled(settings, dead_job, kind):
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, person, _ = dead_job(kind)
    stored = getattr(job, "stored_file", "")
    with override_settings(TASKS=QUEUEING):
        _end_dead_jobs()
    cancel = {ImportBatch: lambda: imports.cancel_import(by=person, batch=job),
              LinkageRun: lambda: linkage.cancel_linkage(by=person, run=job),
              SweepRun: lambda: sweep.cancel_sweep(by=person, run=job),
              SubjectAccessBuild: lambda: sar.cancel_build(by=person, build=job)}[type(job)]
    cancelled = cancel()
    assert not cancelled.is_running and not cancelled.restarting
    if stored:
        assert cancelled.errors[0]["problem"] == imports.CANCELLED and not default_storage.exists(stored)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_the_dead_workers_task_row_is_failed_and_the_new_one_waits(settings, dead_job, kind):
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, _, _ = dead_job(kind)
    task, argument, _ = next(entry for entry in TASKS if entry[2] is type(job))
    with override_settings(TASKS=DATABASE_BACKEND):
        old = task.enqueue(**{argument: job.pk})
        DBTaskResult.objects.filter(pk=old.id).update(status="RUNNING", started_at=_dead())  # the worker that died
        _end_dead_jobs()
    rows = {str(row.pk): row for row in DBTaskResult.objects.filter(task_path=task.module_path)
            if row.args_kwargs["kwargs"] == {argument: job.pk}}
    assert rows.pop(str(old.id)).status == "FAILED"
    assert [row.status for row in rows.values()] == ["READY"]
    job.refresh_from_db()
    if hasattr(job, "task_result_id"):
        assert job.task_result_id == next(iter(rows))


@pytest.mark.django_db
def test_only_the_kinds_listed_are_queued_again(settings, dead_job):
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({jobs.LINKAGE, jobs.SWEEPS, jobs.PACKS})
    batch, _, _ = dead_job(jobs.IMPORTS)
    stored = batch.stored_file
    _end_dead_jobs()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED and batch.requeued_at is None and not default_storage.exists(stored)


def test_the_setting_names_kinds_of_job_and_a_wrong_name_stops_the_service(monkeypatch):
    import earlyhelp.settings as project_settings

    assert project_settings.EARLYHELP_JOB_KINDS == tuple(KINDS)
    try:
        monkeypatch.setenv("EARLYHELP_REQUEUE_DEAD_JOBS", " imports, packs ,")
        assert importlib.reload(project_settings).EARLYHELP_REQUEUE_DEAD_JOBS == {"imports", "packs"}
        monkeypatch.setenv("EARLYHELP_REQUEUE_DEAD_JOBS", "imports,pack")  # a typo must not quietly fail packs
        with pytest.raises(ImproperlyConfigured, match="EARLYHELP_REQUEUE_DEAD_JOBS"):
            importlib.reload(project_settings)
    finally:
        monkeypatch.delenv("EARLYHELP_REQUEUE_DEAD_JOBS")
        importlib.reload(project_settings)
    assert project_settings.EARLYHELP_REQUEUE_DEAD_JOBS == frozenset()
