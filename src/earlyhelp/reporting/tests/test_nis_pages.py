"""The National Impact Study and research pages: the data team only (audited 404 for anyone else), a transfer and
an extract made through the pages, the manifest as a page and as JSON, and a download that works once."""

import datetime
import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.privacy.models import DatasetDisclosure
from earlyhelp.reporting.models import ResearchProject

from .nis_world import *  # noqa: F403 (fixtures)
from .nis_world import PERIOD

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2", "P12", "P27")]

OTHERS = ["front_door", "lead", "manager", "partner", "dpo", "admin"]


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_a_transfer_through_the_pages_manifest_and_one_download(client, world, programme):
    client.force_login(world.data_team)
    response = client.post(reverse("reporting:nis-new"), {**_date("period_start", PERIOD[0]),
                                                          **_date("period_end", PERIOD[1])})
    disclosure = DatasetDisclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:nis-transfer",
                                                                           args=[disclosure.pk])
    page = client.get(response["Location"]).content.decode()
    assert disclosure.file_sha256 in page and "Download the file (once)" in page
    for family in programme["families"]:
        assert family["members"][0].family_name not in page
    manifest = json.loads(client.get(reverse("reporting:nis-manifest", args=[disclosure.pk])).content)
    assert manifest["file_sha256"] == disclosure.file_sha256 and manifest["recipient"] == "ons"
    download = client.post(reverse("reporting:nis-download", args=[disclosure.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == disclosure.file_sha256
    again = client.post(reverse("reporting:nis-download", args=[disclosure.pk]))
    assert again.status_code == 302
    assert AuditEvent.objects.filter(event="dataset_disclosure.download").count() == 1
    assert client.get(reverse("reporting:nis-transfers")).status_code == 200


def test_a_period_with_no_data_is_refused_on_the_page(client, world):
    client.force_login(world.data_team)
    response = client.post(reverse("reporting:nis-new"), {**_date("period_start", PERIOD[0]),
                                                          **_date("period_end", PERIOD[1])})
    assert response.status_code == 200 and "nothing to send" in response.content.decode()
    assert not DatasetDisclosure.objects.exists()


def test_a_project_and_an_extract_through_the_pages(client, world, programme):
    client.force_login(world.data_team)
    today = timezone.localdate()
    response = client.post(reverse("reporting:research-project-new"), {
        "reference": "eval-9", "title": "Evaluation", "recipient": "approved_researchers",
        "recipient_name": "University of Testtown", "purpose": "School attendance after support",
        **_date("starts_on", today - datetime.timedelta(days=10)), **_date("ends_on", today + datetime.timedelta(days=90)),
        "columns": ["person_ref", "family_ref", "age_band"]})
    project = ResearchProject.objects.get()
    assert response.status_code == 302
    assert client.get(reverse("reporting:research-project", args=[project.pk])).status_code == 200
    response = client.post(reverse("reporting:research-extract-new", args=[project.pk]),
                           {**_date("period_start", PERIOD[0]), **_date("period_end", PERIOD[1])})
    disclosure = DatasetDisclosure.objects.get()
    assert response["Location"] == reverse("reporting:research-extract", args=[disclosure.pk])
    assert disclosure.columns == ["person_ref", "family_ref", "age_band"] and disclosure.pseudonymised
    assert client.get(response["Location"]).status_code == 200
    download = client.post(reverse("reporting:research-extract-download", args=[disclosure.pk]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == disclosure.file_sha256
    response = client.post(reverse("reporting:research-project-end", args=[project.pk]))
    project.refresh_from_db()
    assert project.key_destroyed_by == world.data_team
    refused = client.post(reverse("reporting:research-extract-new", args=[project.pk]),
                          {**_date("period_start", PERIOD[0]), **_date("period_end", PERIOD[1])})
    assert "has ended" in refused.content.decode() and DatasetDisclosure.objects.count() == 1


@pytest.mark.parametrize("who", OTHERS)
def test_record_pages_are_the_data_teams_only(client, world, programme, who):
    from earlyhelp.reporting.services import nis, research

    disclosure = nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    project = research.create_project(
        by=world.data_team, reference="eval-1", title="T", recipient="ons", recipient_name="ONS", purpose="P",
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=5), columns=["gender"])
    extract = research.make_extract(by=world.data_team, project=project, period_start=PERIOD[0],
                                    period_end=PERIOD[1])
    pages = [("get", "reporting:nis-transfer", disclosure.pk), ("get", "reporting:nis-manifest", disclosure.pk),
             ("post", "reporting:nis-download", disclosure.pk), ("get", "reporting:research-project", project.pk),
             ("post", "reporting:research-project-columns", project.pk),
             ("get", "reporting:research-project-end", project.pk),
             ("get", "reporting:research-extract-new", project.pk), ("get", "reporting:research-extract", extract.pk),
             ("get", "reporting:research-extract-manifest", extract.pk),
             ("post", "reporting:research-extract-download", extract.pk)]
    user = world.users[who]
    client.force_login(user)
    for method, name, pk in pages:
        assert getattr(client, method)(reverse(name, args=[pk])).status_code == 404, name
    assert AuditEvent.objects.filter(actor=user, action=Action.DENIED).count() >= len(pages)
    # The data team gets each of them; an NIS id on a research page (and the reverse) is a 404.
    client.force_login(world.data_team)
    for method, name, pk in pages:
        if method == "get":
            assert client.get(reverse(name, args=[pk])).status_code == 200, name
    assert client.get(reverse("reporting:research-extract", args=[disclosure.pk])).status_code == 404
    assert client.get(reverse("reporting:nis-transfer", args=[extract.pk])).status_code == 404


def test_the_api_lists_and_makes_transfers_and_extracts_for_the_data_team_only(client, world, programme):
    period = {"period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat()}
    client.force_login(world.lead)
    assert client.post("/api/reporting/nis-transfers", period, content_type="application/json").status_code == 403
    assert client.get("/api/reporting/research-projects").status_code == 403
    client.force_login(world.data_team)
    made = client.post("/api/reporting/nis-transfers", period, content_type="application/json")
    assert made.status_code == 201 and made.json()["recipient"] == "ons" and made.json()["row_count"] == 20
    assert [m["id"] for m in client.get("/api/reporting/nis-transfers").json()] == [made.json()["id"]]
    from earlyhelp.reporting.services import research

    project = research.create_project(
        by=world.data_team, reference="eval-1", title="T", recipient="ons", recipient_name="ONS", purpose="P",
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=5),
        columns=["person_ref", "gender"])
    url = f"/api/reporting/research-projects/{project.pk}/extracts"
    refused = client.post(url, {**period, "columns": ["person_ref", "ethnicity"]}, content_type="application/json")
    assert refused.status_code == 422 and "ethnicity" in refused.json()["detail"]
    extract = client.post(url, {**period, "columns": ["person_ref"]}, content_type="application/json")
    assert extract.status_code == 201 and extract.json()["columns"] == ["person_ref"]
    assert extract.json()["pseudonymised"] and len(client.get(url).json()) == 1
