"""A worker frozen rather than killed (SIGSTOP, a paused machine, a long stall) past the dead-job limit, its job
queued again (EARLYHELP_REQUEUE_DEAD_JOBS) and taken by a new worker: on waking, the old run stops at its next step
and writes nothing, and the job ends as the new run ends it (`jobs.Run`).

The old run runs in a thread of its own that shares the test's database connection (and so its transaction), frozen
at a point mid-way until the new run, started by the test's task backend when the job is queued again, reaches the
same point; the old run then wakes and goes on to its end before the new one goes on. The two never run at once."""

import datetime
import io
import threading

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.audit.models import AuditEvent
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import BatchStatus, LinkageRun, RunStatus, SourceRecord
from earlyhelp.retention import presets
from earlyhelp.retention.models import DisposalBatch, SweepStatus
from earlyhelp.retention.services import sweep
from earlyhelp.retention.tests.conftest import CASE_DUE, FAMILY_PRESETS, close_family
from earlyhelp.privacy.models import SubjectAccessPack
from earlyhelp.rights.models import BuildStatus
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing.world import make_family

from .conftest import QUEUEING

WAIT = 30  # seconds: a run that never reaches its next step fails the test rather than hanging it


class FrozenWorker:
    """Runs a job's first run in a thread that shares the test's connection, frozen at `pause` until woken."""

    def __init__(self, written):
        self.written = written  # what the job's runs have written so far
        self.frozen, self.woken, self.stopped = threading.Event(), threading.Event(), threading.Event()
        self.pauses = 0
        self.error = None
        self.when_old_stopped = None
        self.connection = connections["default"]

    def pause(self):
        self.pauses += 1
        if self.pauses == 1:  # the old run: frozen
            self.frozen.set()
            assert self.woken.wait(WAIT)
        elif self.pauses == 2:  # the new run, as far: the old one wakes and goes on to its end first
            self.wake()

    def wake(self):
        self.woken.set()
        assert self.stopped.wait(WAIT)
        self.when_old_stopped = self.written()

    def start(self, run):
        self.connection.inc_thread_sharing()

        def old_worker():
            connections["default"] = self.connection
            try:
                run()
            except BaseException as error:  # noqa: BLE001 (reported by the test)
                self.error = error
            finally:
                self.stopped.set()
                self.frozen.set()

        self.thread = threading.Thread(target=old_worker, name="frozen-worker", daemon=True)
        self.thread.start()
        assert self.frozen.wait(WAIT) and not self.stopped.is_set()

    def join(self):
        self.thread.join(WAIT)
        self.connection.dec_thread_sharing()
        assert not self.thread.is_alive() and self.error is None, repr(self.error)


def _dead():
    return timezone.now() - datetime.timedelta(seconds=61)  # a minute without a heartbeat


def _end_dead_jobs() -> str:
    out = io.StringIO()
    call_command("end_dead_jobs", stdout=out)
    return out.getvalue()


def _events(name: str) -> int:
    return AuditEvent.objects.filter(event=name).count()


@pytest.fixture
def frozen_job(world, queue_import, queue_build, monkeypatch):
    """A job of a kind, waiting, with: its run as its worker runs it, where the run pauses mid-way (after it has
    claimed the job and reported progress), and what its runs write, as counts."""
    def make(kind):
        if kind == jobs.IMPORTS:
            job = queue_import()
            monkeypatch.setattr(imports, "_check", worker_hook(imports._check))
            return job, lambda: imports.run_import(job.pk), lambda: (
                SourceRecord.objects.filter(batch=job).count(), _events("import_batch.imported"))
        if kind == jobs.LINKAGE:
            records = imports.run_import(queue_import().pk)
            with override_settings(TASKS=QUEUEING):
                job = linkage.start_linkage(by=world.data_team, batches=[records])
            monkeypatch.setattr(linkage, "person_index", worker_hook(linkage.person_index))
            return job, lambda: linkage.run_linkage(job.pk), lambda: (
                _events("linkage_run.finish"), LinkageRun.objects.filter(status=RunStatus.FINISHED).count())
        if kind == jobs.SWEEPS:
            presets.load_presets(codes=FAMILY_PRESETS)
            close_family(world, make_family(world, family_name="Closedfamily", lead=world.lead, seed=101))
            job = sweep._new_run(by=world.dpo, today=CASE_DUE)
            monkeypatch.setattr(sweep, "_waiting_ids", worker_hook(sweep._waiting_ids))
            return job, lambda: sweep.run_sweep(run_id=job.pk), lambda: (
                DisposalBatch.objects.count(), _events("disposal_batch.propose"), _events("retention_sweep.run"))
        job = queue_build()
        monkeypatch.setattr(sar, "redaction_spans", worker_hook(sar.redaction_spans))
        return job, lambda: sar.run_build(job.pk), lambda: (
            SubjectAccessPack.objects.filter(request=job.request).count(), _events("subject_access.build"))

    hooks = []

    def worker_hook(function):
        def paused(*args, **kwargs):
            hooks[0].pause()
            return function(*args, **kwargs)
        return paused

    def made(kind):
        job, run, written = make(kind)
        worker = FrozenWorker(written)
        hooks.append(worker)
        return job, run, worker
    return made


FINISHED = {jobs.IMPORTS: BatchStatus.IMPORTED, jobs.LINKAGE: RunStatus.FINISHED, jobs.SWEEPS: SweepStatus.FINISHED,
            jobs.PACKS: BuildStatus.FINISHED}
NOTHING = {jobs.IMPORTS: (0, 0), jobs.LINKAGE: (0, 0), jobs.SWEEPS: (0, 0, 0), jobs.PACKS: (0, 0)}
ONCE = {jobs.IMPORTS: (3, 1), jobs.LINKAGE: (1, 1), jobs.SWEEPS: (1, 1, 1), jobs.PACKS: (1, 1)}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [jobs.IMPORTS, jobs.LINKAGE, jobs.SWEEPS, jobs.PACKS])
def test_a_frozen_worker_that_wakes_after_its_job_was_queued_again_stops_and_writes_nothing(
        settings, frozen_job, kind):
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({kind})
    job, run, worker = frozen_job(kind)
    worker.start(run)  # frozen mid-way
    job.refresh_from_db()
    assert job.is_running and job.requeued_at is None
    type(job).objects.filter(pk=job.pk).update(updated_at=_dead())
    said = _end_dead_jobs()  # queued again; the test backend runs the new task at once, which wakes the old run
    worker.join()
    assert "1 queued again" in said and worker.pauses == 2
    assert worker.when_old_stopped == NOTHING[kind]  # the old run stopped at its next step, writing nothing
    job.refresh_from_db()
    assert job.status == FINISHED[kind] and job.requeued_at is not None, getattr(job, "failure", "")
    assert worker.written() == ONCE[kind]  # the new run's, once


@pytest.mark.django_db
def test_a_frozen_check_that_wakes_while_its_batch_waits_again_leaves_it_the_file(settings, frozen_job):
    """The next check needs the stored file: the old check, stopping, must not delete it."""
    settings.EARLYHELP_REQUEUE_DEAD_JOBS = frozenset({jobs.IMPORTS})
    batch, run, worker = frozen_job(jobs.IMPORTS)
    stored = batch.stored_file
    worker.start(run)
    type(batch).objects.filter(pk=batch.pk).update(updated_at=_dead())
    with override_settings(TASKS=QUEUEING):
        assert "1 queued again" in _end_dead_jobs()
    worker.wake()
    worker.join()
    assert worker.when_old_stopped == NOTHING[jobs.IMPORTS]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED and default_storage.exists(stored)
    assert imports.run_import(batch.pk).status == BatchStatus.IMPORTED
    assert worker.written() == ONCE[jobs.IMPORTS] and not default_storage.exists(stored)
