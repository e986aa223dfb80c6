"""Background jobs that recover (issue 16): a job whose worker died is ended within a minute of a worker starting,
with its stored files deleted; a person can cancel an import, a linkage run, a sweep or a pack build, waiting or
under way, and it stops at its next step having saved nothing; the heartbeat keeps a long job alive."""

import datetime
import time
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError
from django.db.models import QuerySet
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.audit.models import AuditEvent
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import BatchStatus, LinkageRun, RunStatus, SourceRecord
from earlyhelp.privacy.models import SubjectAccessPack
from earlyhelp.retention.models import SweepRun, SweepStatus
from earlyhelp.retention.services import sweep
from earlyhelp.rights.models import BuildStatus, SubjectAccessBuild
from earlyhelp.rights.services import subject_access as sar

LONG_AGO = datetime.timedelta(hours=3)


def _jobs(world, queue_import, queue_build):
    """One job of each kind, waiting: (job, who may cancel it, its page, its cancel URL)."""
    batch = queue_import()
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team)
    swept = SweepRun.objects.create(as_of=timezone.localdate(), requested_by=world.dpo)
    build = queue_build()
    return [(batch, world.data_team, reverse("matching:batch", args=[batch.pk]),
             reverse("matching:batch-cancel", args=[batch.pk])),
            (run, world.data_team, reverse("matching:run", args=[run.pk]), reverse("matching:run-cancel", args=[run.pk])),
            (swept, world.dpo, reverse("retention:sweep", args=[swept.pk]),
             reverse("retention:sweep-cancel", args=[swept.pk])),
            (build, world.dpo, reverse("web:sar-build-progress", args=[build.pk]),
             reverse("web:sar-build-cancel", args=[build.pk]))]


def _ended(job) -> bool:
    job.refresh_from_db()
    return not job.is_running


@pytest.mark.django_db
def test_every_kind_of_job_can_be_cancelled_from_its_page_while_it_waits(client, world, queue_import, queue_build):
    for job, person, page, cancel in _jobs(world, queue_import, queue_build):
        client.force_login(person)
        assert f'action="{cancel}"' in client.get(page).content.decode()
        response = client.post(cancel, follow=True)
        assert response.redirect_chain[-1][0] == page and _ended(job), type(job).__name__
        assert "cancelled" in response.content.decode().lower()
        assert f'action="{cancel}"' not in response.content.decode()  # nothing left to cancel
        again = client.post(cancel, follow=True).content.decode()
        assert "nothing to cancel" in again
        assert AuditEvent.objects.filter(event__endswith="cancel", actor=person, object_ids=[job.pk],
                                         object_type=job._meta.label_lower).count() == 1


@pytest.mark.django_db
def test_only_those_who_run_a_kind_of_job_may_cancel_it(client, world, queue_import, queue_build):
    for job, person, _page, cancel in _jobs(world, queue_import, queue_build):
        other = world.dpo if person == world.data_team else world.data_team
        client.force_login(other)
        assert client.post(cancel).status_code == 404 and not _ended(job)
        client.force_login(world.lead)
        assert client.post(cancel).status_code == 404 and not _ended(job)


@pytest.mark.django_db
def test_a_cancelled_import_deletes_its_stored_file_at_once(world, queue_import):
    batch = queue_import()
    stored = batch.stored_file
    assert default_storage.exists(stored)
    imports.cancel_import(by=world.data_team, batch=batch)
    assert not default_storage.exists(stored) and batch.status == BatchStatus.REJECTED
    assert batch.errors[0]["problem"] == imports.CANCELLED


@pytest.mark.django_db
def test_an_import_under_way_stops_at_its_next_step_and_imports_nothing(world, queue_import):
    batch = queue_import()
    stored = batch.stored_file

    def cancel_now(processed, total):
        imports.cancel_import(by=world.data_team, batch=batch)

    finished = imports.run_import(batch.pk, on_progress=cancel_now)
    assert finished.status == BatchStatus.REJECTED and finished.errors[0]["problem"] == imports.CANCELLED
    assert not SourceRecord.objects.exists() and not default_storage.exists(stored)


@pytest.mark.django_db
def test_a_linkage_run_under_way_stops_and_keeps_no_candidates(world, monkeypatch):
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team)

    def link(*args, progress, **kwargs):
        linkage.cancel_linkage(by=world.data_team, run=run)
        progress("Scoring pairs", 0.5)
        raise AssertionError("the run should have stopped")

    monkeypatch.setattr(linkage.engine, "link", link)
    monkeypatch.setattr(linkage, "person_index", lambda: None)
    monkeypatch.setattr(linkage, "_records_table", lambda records: None)
    finished = linkage.run_linkage(run.pk)
    assert finished.status == RunStatus.FAILED and finished.was_cancelled and not finished.candidates.exists()


@pytest.mark.django_db
def test_a_sweep_under_way_stops_before_its_next_rule(world, monkeypatch):
    swept = SweepRun.objects.create(as_of=timezone.localdate(), requested_by=world.dpo)
    monkeypatch.setattr(sweep, "_sync_rejections", lambda: sweep.cancel_sweep(by=world.dpo, run=swept))
    finished = sweep.run_sweep(run_id=swept.pk)
    assert finished.status == SweepStatus.FAILED and finished.was_cancelled and finished.report == {}
    assert not finished.batches.exists()


@pytest.mark.django_db
def test_a_pack_build_under_way_stops_and_makes_no_pack(world, queue_build, monkeypatch):
    build = queue_build()

    def assemble(person, progress=None, request=None):
        sar.cancel_build(by=world.dpo, build=build)
        progress(sar.REVIEWING, 0.6)
        raise AssertionError("the build should have stopped")

    monkeypatch.setattr(sar, "_assemble", assemble)
    finished = sar.run_build(build.pk)
    assert finished.status == BuildStatus.FAILED and finished.failure == sar.BUILD_CANCELLED
    assert not SubjectAccessPack.objects.exists()


@pytest.mark.django_db
def test_jobs_whose_worker_died_are_ended_with_their_files_deleted(world, queue_import, queue_build):
    waiting, stuck = queue_import(), queue_import()
    waiting_file, stuck_file = waiting.stored_file, stuck.stored_file
    type(stuck).objects.filter(pk=stuck.pk).update(status=BatchStatus.VALIDATING)
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.RUNNING)
    swept = SweepRun.objects.create(as_of=timezone.localdate(), requested_by=world.dpo, status=SweepStatus.RUNNING)
    build = queue_build()
    SubjectAccessBuild.objects.filter(pk=build.pk).update(status=BuildStatus.RUNNING)
    alive = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                      status=RunStatus.RUNNING)
    dead = timezone.now() - datetime.timedelta(seconds=61)  # a minute without a heartbeat
    for job in (stuck, run, swept, build):
        type(job).objects.filter(pk=job.pk).update(updated_at=dead)
    type(waiting).objects.filter(pk=waiting.pk).update(updated_at=dead)  # waiting for a busy worker: not dead

    call_command("end_dead_jobs")

    for job in (stuck, run, swept, build):
        assert _ended(job), type(job).__name__
    assert not default_storage.exists(stuck_file) and stuck.errors[0]["problem"] == imports.INTERRUPTED
    assert run.failure == jobs.INTERRUPTED and swept.failure == jobs.INTERRUPTED
    assert build.failure == sar.BUILD_INTERRUPTED
    assert not _ended(alive) and not _ended(waiting) and default_storage.exists(waiting_file)


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection between tasks
def test_the_worker_ends_dead_jobs_as_it_starts(world):
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.RUNNING)
    LinkageRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - LONG_AGO)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        call_command("run_worker", "--", "--batch", "--no-startup-delay")
    assert _ended(run) and run.failure == jobs.INTERRUPTED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_running_job_alive_and_stops_with_it(world, settings):
    settings.EARLYHELP_JOB_HEARTBEAT_SECONDS = 1
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.RUNNING)
    old = timezone.now() - LONG_AGO
    LinkageRun.objects.filter(pk=run.pk).update(updated_at=old)
    with jobs.heartbeat(jobs.Run(model=LinkageRun, pk=run.pk, running=RunStatus.RUNNING, requeued_at=None)):
        time.sleep(1.6)
        run.refresh_from_db()
        assert run.updated_at > timezone.now() - datetime.timedelta(seconds=2)
    LinkageRun.objects.filter(pk=run.pk).update(updated_at=old)
    time.sleep(1.3)
    run.refresh_from_db()
    assert run.updated_at == old  # stopped with the job


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_that_misses_a_beat_beats_again(world, settings):
    """A locked or lost database for a moment must not stop the heartbeat for good: its live job would be ended as
    dead by the next worker to look."""
    settings.EARLYHELP_JOB_HEARTBEAT_SECONDS = 1
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.RUNNING)
    old = timezone.now() - LONG_AGO
    LinkageRun.objects.filter(pk=run.pk).update(updated_at=old)
    update, missed = QuerySet.update, []

    def locked_once(queryset, **values):
        if not missed:
            missed.append(values)
            raise OperationalError("database is locked")
        return update(queryset, **values)

    with mock.patch.object(QuerySet, "update", locked_once), \
            jobs.heartbeat(jobs.Run(model=LinkageRun, pk=run.pk, running=RunStatus.RUNNING, requeued_at=None)):
        _wait_for(lambda: run.refresh_from_db() or run.updated_at > old, seconds=10)
    assert missed  # the first beat failed, a later one got through


def _wait_for(condition, *, seconds: float):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.1)


@pytest.mark.django_db
def test_the_jobs_page_lists_each_person_the_kinds_of_job_they_run(client, world, queue_import, queue_build):
    batch = queue_import()
    run = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.RUNNING, stage="Scoring pairs", percent=40)
    old = LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team,
                                    status=RunStatus.FINISHED, finished_at=timezone.now() - datetime.timedelta(days=40))
    swept = SweepRun.objects.create(as_of=timezone.localdate(), requested_by=world.dpo)
    build = queue_build()
    client.force_login(world.data_team)
    page = client.get(reverse("web:jobs")).content.decode()
    assert f"Partner file check {batch.reference}" in page and f"Linkage run {run.reference}" in page
    assert "Scoring pairs (40%)" in page and old.reference not in page  # finished over 30 days ago: not listed
    assert swept.reference not in page and build.request.reference not in page  # the DPO's kinds
    client.force_login(world.dpo)
    page = client.get(reverse("web:jobs")).content.decode()
    assert f"Retention sweep {swept.reference}" in page and f"Subject access pack {build.request.reference}" in page
    assert batch.reference not in page and run.reference not in page
    client.force_login(world.lead)
    assert client.get(reverse("web:jobs")).status_code == 404
    assert AuditEvent.objects.filter(actor=world.lead, action="denied", event="background_jobs.denied").exists()
