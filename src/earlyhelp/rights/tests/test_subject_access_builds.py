"""A subject access pack is built in the background: asking for it answers at once with a progress page that
refreshes itself while the build waits or runs, links to the pack when it is built, and says what to do when it
fails. The progress page has the pack's door: anyone but the DPO gets an audited 404."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task_backends

from earlyhelp.audit.models import AuditEvent
from earlyhelp.privacy.models import SubjectAccessPack
from earlyhelp.rights.models import BuildStatus, SubjectAccessBuild
from earlyhelp.rights.services import subject_access as sar

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

QUEUEING_BACKEND = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REFRESH = '<meta http-equiv="refresh" content="3">'


def _progress(build):
    return reverse("web:sar-build-progress", args=[build.pk])


def test_asking_for_a_pack_queues_its_build_and_answers_at_once(client, world, log):
    rights_request = log()
    client.force_login(world.dpo)
    with override_settings(TASKS=QUEUEING_BACKEND):
        response = client.post(reverse("web:sar-build", args=[rights_request.pk]))
        build = SubjectAccessBuild.objects.get()
        assert response.status_code == 302 and response.url == _progress(build)
        assert build.status == BuildStatus.QUEUED and not SubjectAccessPack.objects.exists()
        assert [result.kwargs for result in task_backends["default"].results] == [{"build_id": build.pk}]
        again = client.post(reverse("web:sar-build", args=[rights_request.pk]))  # a second click: the same build
        assert again.url == _progress(build) and SubjectAccessBuild.objects.count() == 1
    assert AuditEvent.objects.filter(event="subject_access.build_queue", object_ids=[build.pk]).count() == 1

    assert _progress(build) in client.get(reverse("rights:detail", args=[rights_request.pk])).content.decode()
    waiting = client.get(_progress(build)).content.decode()
    assert REFRESH in waiting and "waiting to be built" in waiting and "updates itself every 3 seconds" in waiting

    sar.run_build(build.pk)  # what the worker does
    pack = SubjectAccessPack.objects.get()
    built = client.get(_progress(build)).content.decode()
    assert 'http-equiv="refresh"' not in built and reverse("web:sar-pack", args=[pack.pk]) in built
    assert AuditEvent.objects.filter(event="subject_access.build", actor=world.dpo, object_ids=[pack.pk]).exists()


def test_the_progress_page_in_every_state(client, world, log):
    rights_request = log()
    pack = sar.build_pack(by=world.dpo, request=rights_request)
    now = timezone.now()

    def build(**values):
        return SubjectAccessBuild.objects.create(request=rights_request, requested_by=world.dpo, **values)

    builds = {
        "queued": build(),
        "running": build(status=BuildStatus.RUNNING, stage=sar.REVIEWING, percent=60, started_at=now),
        "finished": build(status=BuildStatus.FINISHED, pack=pack, percent=100, started_at=now, finished_at=now),
        "failed": build(status=BuildStatus.FAILED, failure=sar.BUILD_FAILED, started_at=now, finished_at=now),
    }
    client.force_login(world.dpo)
    pages = {state: client.get(_progress(b)).content.decode() for state, b in builds.items()}

    assert REFRESH in pages["queued"] and "<title>Waiting to build" in pages["queued"]
    assert REFRESH in pages["running"] and "<title>Building, 60% done" in pages["running"]
    assert f"{escape(sar.REVIEWING)}: 60% done" in pages["running"]
    assert '<progress id="build-progress" max="100" value="60">' in pages["running"]
    assert "Stop updating this page" in pages["running"]
    assert reverse("web:sar-pack", args=[pack.pk]) in pages["finished"] and "Review the pack" in pages["finished"]
    assert escape(sar.BUILD_FAILED) in pages["failed"] and "could not be built" in pages["failed"]
    assert reverse("rights:detail", args=[rights_request.pk]) in pages["failed"]
    for state in ("finished", "failed"):
        assert 'http-equiv="refresh"' not in pages[state] and "updates itself" not in pages[state]

    stopped = client.get(_progress(builds["running"]), {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in stopped and "Check the progress again" in stopped
    assert AuditEvent.objects.filter(event="subject_access_build.view", actor=world.dpo).count() == 5


def test_nobody_but_the_dpo_reaches_a_build(client, world, log):
    build = SubjectAccessBuild.objects.create(request=log(), requested_by=world.dpo)
    for role in ("lead", "manager", "partner", "data_team", "admin", "front_door"):
        user = getattr(world, role)
        client.force_login(user)
        assert client.get(_progress(build)).status_code == 404
        assert AuditEvent.objects.filter(action="denied", actor=user, object_type="rights.subjectaccessbuild",
                                         object_ids=[build.pk]).count() == 1
    client.force_login(world.dpo)
    assert client.get(reverse("web:sar-build-progress", args=[build.pk + 1])).status_code == 404


def test_a_build_that_fails_says_what_to_do_and_leaves_no_pack(client, world, log, monkeypatch):
    def broken(person, progress=None):
        raise RuntimeError(f"about {person.full_name}")  # an error's text may name someone: it is never shown

    monkeypatch.setattr(sar, "collect", broken)
    rights_request = log()
    client.force_login(world.dpo)
    response = client.post(reverse("web:sar-build", args=[rights_request.pk]))  # tests run tasks at once
    build = SubjectAccessBuild.objects.get()
    assert build.status == BuildStatus.FAILED and build.failure == sar.BUILD_FAILED and build.finished_at
    assert not SubjectAccessPack.objects.exists()
    assert AuditEvent.objects.get(event="subject_access.build_fail", object_ids=[build.pk]).metadata == {
        "failure": "RuntimeError"}
    page = client.get(response.url).content.decode()
    assert escape(sar.BUILD_FAILED) in page and rights_request.subject.full_name not in page


def test_a_build_whose_requester_lost_the_role_meanwhile_is_not_built(world, log):
    rights_request = log()
    with override_settings(TASKS=QUEUEING_BACKEND):
        build = sar.start_build(by=world.dpo, request=rights_request)
    type(world.dpo).objects.filter(pk=world.dpo.pk).update(role=world.data_team.role)
    build = sar.run_build(build.pk)
    assert build.status == BuildStatus.FAILED and "Only the data protection officer" in build.failure
    assert not SubjectAccessPack.objects.exists()


def test_a_build_left_by_a_dead_worker_gives_way_to_a_new_one(world, log):
    rights_request = log()
    with override_settings(TASKS=QUEUEING_BACKEND):
        stuck = sar.start_build(by=world.dpo, request=rights_request)
        SubjectAccessBuild.objects.filter(pk=stuck.pk).update(
            status=BuildStatus.RUNNING, updated_at=timezone.now() - datetime.timedelta(hours=3))
        fresh = sar.start_build(by=world.dpo, request=rights_request)
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk and fresh.status == BuildStatus.QUEUED
    assert stuck.status == BuildStatus.FAILED and stuck.failure == sar.BUILD_INTERRUPTED
