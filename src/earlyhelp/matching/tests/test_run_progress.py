"""Starting a linkage run answers at once; the run's page refreshes itself while the run waits or runs, and says
what to do when it fails."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from earlyhelp.matching import linkage
from earlyhelp.matching.models import LinkageRun, RunStatus

from .conftest import UNKNOWN

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P13")]

REFRESH = '<meta http-equiv="refresh" content="3">'


def test_starting_a_run_queues_it_and_answers_at_once(client, world, imported):
    imported([UNKNOWN])
    client.force_login(world.data_team)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        response = client.post(reverse("matching:runs"))
        run = LinkageRun.objects.get()
        assert response.status_code == 302 and response.url == reverse("matching:run", args=[run.pk])
        assert run.status == RunStatus.QUEUED and [r.kwargs for r in task_backends["default"].results] == [
            {"run_id": run.pk}]
    page = client.get(response.url).content.decode()
    assert REFRESH in page and "Waiting for the background worker" in page and "(waiting to start)" in page
    linkage.run_linkage(run.pk)  # what the worker does
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page and "Finished" in page


def test_the_run_page_in_every_state(client, world):
    now = timezone.now()

    def run(**values):
        return LinkageRun.objects.create(backend="duckdb", threshold=0.9, requested_by=world.data_team, **values)

    runs = {"queued": run(), "running": run(status=RunStatus.RUNNING, stage="Scoring pairs", percent=40,
                                             started_at=now),
            "finished": run(status=RunStatus.FINISHED, percent=100, started_at=now, finished_at=now,
                            stats={"records": 1, "people": 5, "candidates": 0, "rejected_before": 0}),
            "failed": run(status=RunStatus.FAILED, failure="Interrupted", started_at=now, finished_at=now)}
    client.force_login(world.data_team)
    pages = {state: client.get(reverse("matching:run", args=[r.pk])).content.decode() for state, r in runs.items()}
    assert REFRESH in pages["queued"] and REFRESH in pages["running"]
    assert "Scoring pairs (40%)" in pages["running"] and "(40% done)" in pages["running"]
    assert "Stop updating this page" in pages["running"]
    for state in ("finished", "failed"):
        assert 'http-equiv="refresh"' not in pages[state] and "updates itself" not in pages[state]
    assert "Review the matches" in pages["finished"]
    assert "Start a new run from the linkage runs page" in pages["failed"] and "Interrupted" in pages["failed"]
    stopped = client.get(reverse("matching:run", args=[runs["running"].pk]), {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in stopped and "Check the progress again" in stopped
