"""kill -9 of a real worker (issue 16, "Done when"): an import, a linkage run, a retention sweep and a subject access
pack build, each running in a `manage.py run_worker` process that is killed with SIGKILL, end in a clear failed
state soon after a new worker starts, with the task row no longer running and no stored file left; or, with
EARLYHELP_REQUEUE_DEAD_JOBS listing imports, the import is queued again and the new worker imports it.

The workers are real processes on a database this test can see too (PostgreSQL: the test database; SQLite: the
in-memory test database copied to a file, which this process then uses), with a one-second heartbeat and a job dead
after three (`earlyhelp.testing.worker_settings`). A job holds once it has started (`earlyhelp.testing.held_jobs`)
until its worker is killed, so nothing depends on how long a job takes.
"""

import html
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from earlyhelp.demo import partner_files
from earlyhelp.jobs import INTERRUPTED
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import BatchStatus, DatasetType, ImportBatch, LinkageRun, SourceRecord
from earlyhelp.matching.tasks import import_task, linkage_task
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.retention.models import SweepRun, SweepStatus
from earlyhelp.retention.services import sweep
from earlyhelp.retention.tasks import sweep_task
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import SubjectAccessBuild
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.rights.tasks import build_pack_task
from earlyhelp.testing.agreements import sharing_agreement
from earlyhelp.testing.reference_data import load_reference_data
from earlyhelp.testing.traces import walk_storage
from earlyhelp.testing.world import build_world, make_family

HEARTBEAT_SECONDS, DEAD_AFTER_SECONDS = 1, 3
RECOVERY_LIMIT = 60  # seconds after the new worker starts: "within a minute of the worker restarting"
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CANCEL = {"matching:batch": "matching:batch-cancel", "matching:run": "matching:run-cancel",
          "retention:sweep": "retention:sweep-cancel", "web:sar-build-progress": "web:sar-build-cancel"}


# --- A database and a file store the workers share with this test ------------------------------------------------

@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The URL of the database this test uses, for the workers. SQLite's test database is in this process's memory:
    it is copied (migrated, with the migrations' rows) to a file, and this process uses the file until the end of
    the test; the in-memory one is then flushed as after any transactional test."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # closing it would destroy the in-memory database: set aside, put back after
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def worker_env(shared_database, tmp_path, settings):
    """The environment of a worker process; this process stores files where the workers do (their MEDIA_ROOT)."""
    var = tmp_path / "var"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(var / "documents")}}}
    settings.EARLYHELP_JOB_DEAD_AFTER_SECONDS = DEAD_AFTER_SECONDS
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "earlyhelp.testing.worker_settings",
            "DATABASE_URL": shared_database, "EARLYHELP_VAR_DIR": str(var),
            "EARLYHELP_JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "EARLYHELP_JOB_DEAD_AFTER_SECONDS": str(DEAD_AFTER_SECONDS),
            "EARLYHELP_TEST_HOLD_FILE": str(tmp_path / "hold")}


class Workers:
    """`manage.py run_worker` processes, each in a process group of its own (so that it and anything it started can
    be killed together); whatever is left is stopped at the end of the test."""

    def __init__(self, env, log_dir):
        self.env, self.log_dir, self.started = env, log_dir, []

    def start(self) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115 (closed in stop_all)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--", "--no-startup-delay", "--interval", "0.5"],
            cwd=settings.PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log
        self.started.append(process)
        return process

    def kill(self, process) -> list[int]:
        """SIGKILL to the worker and every process in its group; returns the processes that were there."""
        group = _group(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        _until(lambda: not _group(process.pid), "the killed worker's processes to go", seconds=10)
        return group

    def stop_all(self):
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # db_worker stops between tasks
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            process.log.close()

    def log(self, process) -> str:
        process.log.flush()
        return (self.log_dir / f"worker-{self.started.index(process)}.log").read_text(errors="replace")[-3000:]


@pytest.fixture
def workers(worker_env, tmp_path):
    started = Workers(worker_env, tmp_path)
    yield started
    started.stop_all()


def _group(pgid: int) -> list[int]:
    """The processes of a process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp
                members.append(int(entry))
    return members


def _until(condition, what, *, seconds: float):
    """Poll `condition` until it is true, failing after `seconds` (saying `what`, or what `what()` returns); returns
    how long it took."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            pytest.fail(f"Waited {seconds:.0f} s for {what() if callable(what) else what}")
        time.sleep(0.1)
    return time.monotonic() - began


# --- One job of each kind, queued through its service ------------------------------------------------------------

def _partner_files(world):
    """The arguments of `imports.start_import` for a partner file of 20 rows (a different file for each seed)."""
    partner = Organisation.objects.create(name="Test Partner", type=OrganisationType.POLICE, reference="TP-KILL")
    agreement = sharing_agreement(parties=[partner], recorded_by=world.dpo, reference="ISA-KILL")
    purpose = ProcessingPurpose.objects.get(code="data_matching")

    def partner_file(seed):
        rows = partner_files.rows_for(DatasetType.POLICE_ASB, [{"family_name": "Testperson"}] * 20, seed=seed)
        return dict(by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=partner,
                    received_on=timezone.localdate(), purpose=purpose, agreement=agreement,
                    file_name=f"partner-{seed}.csv", content=partner_files.to_csv(rows, DatasetType.POLICE_ASB))
    return partner_file


def _queue_jobs(world, tmp_path) -> dict:
    partner_file = _partner_files(world)
    imported = imports.import_file(**partner_file(1))  # in this process: the linkage run's records
    assert imported.status == BatchStatus.IMPORTED
    subject = make_family(world, lead=world.lead)["members"][0]
    request = rights.log_request(
        by=world.dpo, kind="access", subject=subject, received_on=timezone.localdate(),
        requester_relationship="self", requester_name="Alex Testfamily", requester_address="1 Test Street",
        channel="writing", details="Everything you hold", identity_check="seen", id_seen_on=timezone.localdate(),
        id_evidence="Passport seen at the desk")
    (tmp_path / "hold").touch()  # each job holds once it has started, until its worker is killed
    with override_settings(TASKS=DATABASE_BACKEND):
        return {
            "import": (imports.start_import(**partner_file(2)), world.data_team, "matching:batch"),
            "linkage run": (linkage.start_linkage(by=world.data_team, batches=[imported]), world.data_team,
                            "matching:run"),
            "sweep": (sweep.start_sweep(by=world.dpo), world.dpo, "retention:sweep"),
            "pack build": (sar.start_build(by=world.dpo, request=request), world.dpo, "web:sar-build-progress"),
        }


def _running_with_heartbeat(job, first_seen: dict) -> bool:
    """Running, and touched again since first seen running: the worker's heartbeat has been seen."""
    job.refresh_from_db()
    if not job.is_running or job.status == "queued":
        return False
    first_seen.setdefault(job.pk, job.updated_at)
    return job.updated_at > first_seen[job.pk]


def _task_rows(job) -> list[DBTaskResult]:
    """django-tasks' own rows for the job: its task, with the job's id as the keyword argument."""
    task, argument = {ImportBatch: (import_task, "batch_id"), LinkageRun: (linkage_task, "run_id"),
                      SweepRun: (sweep_task, "run_id"), SubjectAccessBuild: (build_pack_task, "build_id")}[type(job)]
    return [row for row in DBTaskResult.objects.filter(task_path=task.module_path)
            if row.args_kwargs["kwargs"].get(argument) == job.pk]


@pytest.mark.django_db(transaction=True)
def test_jobs_whose_worker_is_killed_end_failed_within_a_minute_of_a_new_worker_starting(
        shared_database, workers, tmp_path, capsys):
    load_reference_data()  # an earlier transactional test's flush may have removed them
    world = build_world()
    jobs = _queue_jobs(world, tmp_path)
    stored_file = jobs["import"][0].stored_file
    assert default_storage.exists(stored_file)

    killed = [workers.start() for _ in jobs]  # a worker runs one job at a time: one each
    first_seen = {}
    waited = _until(lambda: all(_running_with_heartbeat(job, first_seen) for job, _, _ in jobs.values()),
                    lambda: "every job to run with its heartbeat; the workers said:\n"
                    + "\n".join(workers.log(process) for process in killed), seconds=60)
    assert default_storage.exists(stored_file)  # being checked
    assert all(row.status == "RUNNING" for job, _, _ in jobs.values() for row in _task_rows(job))
    processes = [workers.kill(process) for process in killed]
    killed_at = time.monotonic()
    assert all(len(group) == 1 for group in processes), processes  # db_worker runs jobs in its own process

    (tmp_path / "hold").unlink()  # the new worker's jobs run through
    restarted = workers.start()
    started_at = time.monotonic()
    recovered = {}
    for kind, (job, _, _) in jobs.items():
        _until(lambda job=job: _ended(job) and all(row.status != "RUNNING" for row in _task_rows(job)),
               lambda kind=kind: f"the {kind} to end; the new worker said:\n{workers.log(restarted)}",
               seconds=RECOVERY_LIMIT - (time.monotonic() - started_at))
        recovered[kind] = time.monotonic()

    batch, run, swept, build = (job for job, _, _ in jobs.values())
    assert batch.status == BatchStatus.REJECTED and batch.errors[0]["problem"] == imports.INTERRUPTED
    assert not default_storage.exists(stored_file) and not list(walk_storage(default_storage))  # no file left
    assert run.status == "failed" and swept.status == SweepStatus.FAILED and build.status == "failed"
    for kind, (job, _, _) in jobs.items():
        rows = _task_rows(job)
        assert len(rows) == 1 and rows[0].status == "FAILED", (kind, [row.status for row in rows])

    said = {"import": [imports.INTERRUPTED], "linkage run": ["Failed", "no candidates were kept", "Interrupted"],
            "sweep": [f"Failed ({INTERRUPTED})"], "pack build": [sar.BUILD_INTERRUPTED]}
    for kind, (job, person, page) in jobs.items():
        client = Client()
        client.force_login(person)
        shown = html.unescape(client.get(reverse(page, args=[job.pk])).content.decode())
        assert all(words in shown for words in said[kind]), kind
        assert 'http-equiv="refresh"' not in shown and "Check the progress again" not in shown, kind
        assert f'action="{reverse(CANCEL[page], args=[job.pk])}"' not in shown, kind  # nothing left to cancel

    # Nothing is left blocking: a new sweep is accepted and the new worker runs it through.
    again = sweep.start_sweep(by=world.dpo)
    _until(lambda: again.refresh_from_db() or again.status == SweepStatus.FINISHED, "a new sweep to finish",
           seconds=30)

    with capsys.disabled():
        print(f"\n[{connection.vendor}] jobs running with a heartbeat {waited:.1f} s after the workers started; "
              f"processes per worker: {[len(group) for group in processes]}; ended after the new worker started: "
              + ", ".join(f"{kind} {at - started_at:.1f} s" for kind, at in recovered.items())
              + f" (after the kill: {max(recovered.values()) - killed_at:.1f} s)")


@pytest.mark.django_db(transaction=True)
def test_an_import_queued_again_after_its_worker_is_killed_is_imported_by_the_new_worker(
        shared_database, workers, worker_env, tmp_path, capsys):
    """EARLYHELP_REQUEUE_DEAD_JOBS=imports: the killed worker's check is queued again, keeping its stored file, and
    the new worker checks and imports it (then deletes the file, as after any check)."""
    load_reference_data()
    world = build_world()
    worker_env["EARLYHELP_REQUEUE_DEAD_JOBS"] = "imports"  # the workers' setting: they end the dead jobs
    (tmp_path / "hold").touch()
    with override_settings(TASKS=DATABASE_BACKEND):
        batch = imports.start_import(**_partner_files(world)(3))
    stored_file = batch.stored_file
    killed, first_seen = workers.start(), {}
    _until(lambda: _running_with_heartbeat(batch, first_seen),
           lambda: f"the import to run with its heartbeat; the worker said:\n{workers.log(killed)}", seconds=60)
    workers.kill(killed)
    (tmp_path / "hold").unlink()
    restarted = workers.start()
    started_at = time.monotonic()
    _until(lambda: batch.refresh_from_db() or batch.status == BatchStatus.IMPORTED,
           lambda: f"the import to be imported (it is {batch.status}); the new worker said:\n{workers.log(restarted)}",
           seconds=RECOVERY_LIMIT)
    took = time.monotonic() - started_at
    assert batch.requeued_at is not None and SourceRecord.objects.filter(batch=batch).count() == 20
    # Deleted once checked, as after any check: just after the outcome is committed, so a moment after the batch is
    # seen imported (asserting at once raced the worker and failed once on SQLite).
    _until(lambda: not default_storage.exists(stored_file), lambda: "the stored file to be deleted", seconds=10)
    _until(lambda: sorted(row.status for row in _task_rows(batch)) == ["FAILED", "SUCCESSFUL"],
           lambda: f"the dead task row failed and the new one done: {[row.status for row in _task_rows(batch)]}",
           seconds=10)
    with capsys.disabled():
        print(f"\n[{connection.vendor}] import queued again and imported {took:.1f} s after the new worker started")


def _ended(job) -> bool:
    job.refresh_from_db()
    return not job.is_running
