"""The claims pages: only the data team gets them (anyone else an audited 404), bad input gets a clear error and
nothing is written, a decision shows exactly what is claimed, and the evidence bundle is an audited PDF."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.records.calendar import add_months
from earlyhelp.supporting_families.models import BatchStatus, ClaimBatch, ClaimedNeed, ClaimStatus
from earlyhelp.supporting_families.services import claims

from .test_claims import TODAY, build_claimable_family, new_batch

pytestmark = [pytest.mark.django_db]

OTHERS = ["front_door", "lead", "manager", "partner", "dpo", "admin"]


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year} if day else {}


@pytest.fixture
def proposed(world):
    family = build_claimable_family(world)
    nearly = build_claimable_family(world, seed=2, review=False)
    batch = new_batch(world)
    return {"family": family, "nearly": nearly, "batch": batch, "claim": batch.claims.get()}


@pytest.mark.promise("P2")
def test_only_the_data_team_gets_a_batch_or_a_claim(client, world, proposed):
    batch, claim = proposed["batch"], proposed["claim"]
    urls = [reverse("programme:claim-batch", args=[batch.pk]), reverse("programme:claim-batch-submit", args=[batch.pk]),
            reverse("programme:claim-decide", args=[claim.pk]), reverse("programme:claim-evidence", args=[claim.pk])]
    for who in OTHERS:
        user = world.users[who]
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 4, who
        assert client.post(urls[2], {"decision": "accept", "reason": "Sneaky"}).status_code == 404
        assert AuditEvent.objects.filter(actor=user, action=Action.DENIED).count() >= 5
    client.force_login(world.data_team)
    assert [client.get(url).status_code for url in urls] == [200] * 4
    # A batch or claim that does not exist is the same answer, audited.
    assert client.get(reverse("programme:claim-decide", args=[claim.pk + 1000])).status_code == 404
    assert AuditEvent.objects.filter(actor=world.data_team, action=Action.DENIED).count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED


def test_a_new_batch_with_a_bad_period_says_what_is_wrong_and_writes_nothing(client, world):
    client.force_login(world.data_team)
    url = reverse("programme:claim-batch-new")
    page = client.post(url, {**_date("period_start", TODAY), **_date("period_end", TODAY - datetime.timedelta(days=1)),
                             "sample_percent": "10"})
    assert page.status_code == 200
    assert claims.PERIOD_END_BEFORE_START in page.content.decode()
    page = client.post(url, {**_date("period_start", TODAY), **_date("period_end", TODAY), "sample_percent": "0"})
    assert claims.SAMPLE_FRACTION_RANGE in page.content.decode()
    page = client.post(url, {**_date("period_start", TODAY), "sample_percent": "10"})
    assert claims.ENTER_PERIOD_END in page.content.decode()
    assert not ClaimBatch.objects.exists()


def test_a_new_batch_proposes_the_families_and_lists_those_nearly_there(client, world):
    ready = build_claimable_family(world)
    nearly = build_claimable_family(world, seed=2, review=False)
    client.force_login(world.data_team)
    response = client.post(reverse("programme:claim-batch-new"), {
        **_date("period_start", add_months(TODAY, -3)), **_date("period_end", TODAY), "sample_percent": "12.5"})
    batch = ClaimBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("programme:claim-batch", args=[batch.pk])
    assert str(batch.sample_fraction) == "0.125"
    page = client.get(response.url).content.decode()
    claim = batch.claims.get()
    row = page[page.index(f'id="claim-{claim.pk}"'):]
    row = row[:row.index("</tr>")]
    assert ready["household"].reference in row and "Claimfamilyb" in row and "9 of 9" in row
    assert "Waiting for a decision" in row
    near = page[page.index("Families that nearly qualify"):]
    assert nearly["household"].reference in near and "Support was delivered" in near and "0 reviews held" in near
    assert "12.5%" in page


@pytest.mark.promise("P13")
def test_the_decision_page_shows_what_is_claimed_and_needs_a_decision_and_a_reason(client, world, proposed):
    claim = proposed["claim"]
    client.force_login(world.data_team)
    url = reverse("programme:claim-decide", args=[claim.pk])
    page = client.get(url).content.decode()
    for label in claims.CONDITION_LABELS.values():
        assert label in page
    for need in proposed["family"]["needs"]:
        assert need.descriptor.label in page
    assert AuditEvent.objects.filter(event="claim.view", household_id=claim.household_id).exists()

    page = client.post(url, {"decision": "accept", "reason": ""}).content.decode()
    assert claims.ENTER_DECISION_REASON in page
    page = client.post(url, {"reason": "Checked"}).content.decode()
    assert claims.CHOOSE_DECISION in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and not ClaimedNeed.objects.exists()

    response = client.post(url, {"decision": "accept", "reason": "Evidence checked"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED and claim.claimed_needs.count() == 3
    page = client.get(url).content.decode()
    assert "Claimed by Data Tester" in page and "as checked when decided" in page and "Save the decision" not in page


def test_accepting_when_a_condition_no_longer_holds_is_refused_naming_it(client, world, proposed):
    claim = proposed["claim"]
    # The sustainment check is found to have been recorded in error after the claim was proposed.
    for need in proposed["family"]["needs"]:
        need.sustainment_checks.all().delete()
    client.force_login(world.data_team)
    page = client.post(reverse("programme:claim-decide", args=[claim.pk]),
                       {"decision": "accept", "reason": "Evidence checked"}).content.decode()
    assert "every outcome was sustained after closure no longer holds" in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROPOSED and not ClaimedNeed.objects.exists()


def test_submitting_asks_for_confirmation_and_every_decision(client, world, proposed):
    batch, claim = proposed["batch"], proposed["claim"]
    client.force_login(world.data_team)
    url = reverse("programme:claim-batch-submit", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "1 claim is waiting for a decision" in page and "Save the decision" not in page
    page = client.post(url, {"confirm": "on"}).content.decode()
    assert claims.ONE_CLAIM_WAITING in page
    claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    page = client.post(url, {}).content.decode()
    assert "Confirm that every claim has been decided" in page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    batch.refresh_from_db()
    claim.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED and batch.sample_seed is not None and claim.in_assurance_sample
    page = client.get(reverse("programme:claim-batch", args=[batch.pk])).content.decode()
    assert "Assurance sample" in page and "Families that nearly qualify" not in page


def test_the_batch_list_shows_each_period(client, world, proposed):
    client.force_login(world.data_team)
    page = client.get(reverse("programme:claim-batches")).content.decode()
    assert reverse("programme:claim-batch", args=[proposed["batch"].pk]) in page
    assert "Being decided" in page


def test_the_evidence_bundle_is_an_audited_pdf_with_the_family_and_the_conditions(client, world, proposed):
    claim = proposed["claim"]
    claims.decide_claim(by=world.data_team, claim=claim, accept=True, reason="Evidence checked")
    client.force_login(world.data_team)
    response = client.get(reverse("programme:claim-evidence", args=[claim.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    household = proposed["family"]["household"]
    assert household.reference in text and "Claimfamilyb" in text
    for label in claims.CONDITION_LABELS.values():
        assert label in text
    assert "Lead Tester" in text and "Data Tester" in text and "Evidence checked" in text
    assert "internal audit" in text
    assert AuditEvent.objects.filter(event="claim.evidence_export", action=Action.EXPORT,
                                     purpose=Purpose.SUPPORTING_FAMILIES_RETURNS, household_id=household.pk).exists()
