"""The DPO builds, reviews and releases a subject access pack in the browser; nobody else can reach it."""

import json

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import PackStatus, RedactionStatus, SubjectAccessPack, Tombstone
from earlyhelp.rights.models import Outcome, RequestKind
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing import everywhere
from earlyhelp.testing.traces import find_traces, fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]


def _client(client, user):
    client.force_login(user)
    return client


def test_the_dpo_reviews_every_proposal_then_releases_and_downloads_the_pack(client, world, seeded):
    dpo = _client(client, world.dpo)
    detail = dpo.get(reverse("rights:detail", args=[seeded["request"].pk]))
    assert reverse("web:sar-build", args=[seeded["request"].pk]) in detail.content.decode()
    response = dpo.post(reverse("web:sar-build", args=[seeded["request"].pk]))  # built at once in tests
    pack = SubjectAccessPack.objects.get(request=seeded["request"])
    assert response.status_code == 302 and response["Location"] == reverse("web:sar-build-progress",
                                                                           args=[pack.build.pk])
    assert reverse("web:sar-pack", args=[pack.pk]) in dpo.get(response["Location"]).content.decode()

    assert reverse("web:sar-pack", args=[pack.pk]) in dpo.get(reverse("rights:detail", args=[seeded["request"].pk])
                                                            ).content.decode()
    page = dpo.get(reverse("web:sar-pack", args=[pack.pk]))
    assert page.status_code == 200 and "Information about other people" in page.content.decode()
    early = dpo.post(reverse("web:sar-pack-release", args=[pack.pk]), follow=True)
    assert "still waiting for review" in early.content.decode()
    # The confirmation page is not offered while anything is left to decide: back to the pack, saying what.
    confirm_too_soon = dpo.get(reverse("web:sar-pack-release", args=[pack.pk]))
    assert confirm_too_soon.status_code == 302 and confirm_too_soon["Location"] == reverse("web:sar-pack",
                                                                                           args=[pack.pk])
    assert "still waiting for review" in dpo.get(confirm_too_soon["Location"]).content.decode()
    assert dpo.get(reverse("web:sar-pack-download", args=[pack.pk, "json"])).status_code == 404

    missing_reason = dpo.post(reverse("web:sar-pack", args=[pack.pk]),
                              {"proposal": pack.proposals.first().pk, "decision": "redact", "scope": "one"})
    assert "Enter the reason for your decision" in missing_reason.content.decode()
    for proposal in pack.proposals.filter(status=RedactionStatus.PENDING):
        proposal.refresh_from_db()
        if proposal.status != RedactionStatus.PENDING:
            continue
        dpo.post(reverse("web:sar-pack", args=[pack.pk]), {"proposal": proposal.pk, "decision": "redact",
                                                          "scope": "same_text", "reason": "About someone else"})
    assert not pack.proposals.filter(status=RedactionStatus.PENDING).exists()
    dpo.post(reverse("web:sar-pack-release", args=[pack.pk]), {"confirm": "yes"})
    pack.refresh_from_db()
    assert pack.status == PackStatus.RELEASED

    download = dpo.get(reverse("web:sar-pack-download", args=[pack.pk, "json"]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert everywhere.SIBLING_NHS not in download.content.decode()
    assert json.loads(download.content)["sections"]
    pdf = dpo.get(reverse("web:sar-pack-download", args=[pack.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(event="subject_access.download_pdf", object_ids=[pack.pk]).exists()


@pytest.mark.parametrize("role", ["lead", "manager", "partner", "data_team", "admin", "front_door"])
def test_nobody_but_the_dpo_reaches_subject_access_pages(client, world, seeded, role):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    other = _client(client, getattr(world, role))
    for response in (other.get(reverse("web:sar-pack", args=[pack.pk])),
                     other.post(reverse("web:sar-build", args=[seeded["request"].pk])),
                     other.post(reverse("web:sar-pack-release", args=[pack.pk])),
                     other.get(reverse("web:sar-pack-download", args=[pack.pk, "pdf"]))):
        assert response.status_code == 404
    assert SubjectAccessPack.objects.count() == 1
    assert AuditEvent.objects.filter(action="denied", actor=getattr(world, role)).count() == 4


def test_an_erasure_approved_on_the_decision_page_removes_the_chosen_documents(client, world, seeded,
                                                                                django_capture_on_commit_callbacks):
    subject, document = seeded["subject"], seeded["document"]
    request = everywhere.rights_request(world, subject, RequestKind.ERASURE)
    marks = fingerprint(subject, households=False, extra=[subject.given_name])
    dpo = _client(client, world.dpo)
    page = dpo.get(reverse("rights:decide", args=[request.pk])).content.decode()
    assert f'value="{document.pk}"' in page, "the family's documents are offered for deletion"
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.post(reverse("rights:decide", args=[request.pk]), {
            "outcome": Outcome.COMPLIED, "reason": "No law needs the records kept", "confirm_erasure": "on",
            "documents": [document.pk]})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=subject.pk).exists()
    assert Tombstone.objects.get(request=request).files_removed == 1
    assert not default_storage.exists(document.file.name)
    assert find_traces(marks) == []
