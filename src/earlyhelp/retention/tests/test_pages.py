"""The DPO's retention pages: only the DPO gets in (others an audited 404); forms give GOV.UK errors; every page
view is audited; the chart and pages use no inline styles or scripts (P4, P20)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.people.models import Household
from earlyhelp.retention.models import (
    BatchStatus,
    DisposalBatch,
    DisposalCertificate,
    HoldKind,
    HoldScope,
    LegalHold,
    RetentionRule,
    SweepRun,
)
from earlyhelp.retention.services import disposal, holds, sweep

from .conftest import CASE_DUE

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]

REASON = "Checked: nothing needs keeping"


@pytest.fixture
def disposed(world, loaded, closed_family):
    """A batch swept, approved and destroyed, and one waiting for a decision."""
    closed_family("Pagefamily")
    sweep.run_sweep(today=CASE_DUE)
    batch = DisposalBatch.objects.get(rule_code="CASE+6")
    disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason=REASON)
    certificate = disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    return batch, certificate


def _urls(batch, certificate, hold, rule, run):
    return [reverse("retention:home"), reverse("retention:rules"), reverse("retention:rule-new"),
            reverse("retention:rule-edit", args=[rule.pk]), reverse("retention:holds"),
            reverse("retention:hold-new"), reverse("retention:hold-lift", args=[hold.pk]),
            reverse("retention:sweeps"), reverse("retention:sweep", args=[run.pk]), reverse("retention:batches"),
            reverse("retention:batch", args=[batch.pk]), reverse("retention:batch-dispose", args=[batch.pk]),
            reverse("retention:certificates"), reverse("retention:certificate", args=[certificate.pk]),
            reverse("retention:certificate-pdf", args=[certificate.pk])]


@pytest.mark.promise("P20")
def test_everyone_but_the_dpo_gets_an_audited_404(client, world, disposed):
    batch, certificate = disposed
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.OTHER, scope=HoldScope.CRITERION,
                            criterion="child_protection", reason="Test")
    urls = _urls(batch, certificate, hold, RetentionRule.objects.first(), SweepRun.objects.first())
    for user in (world.lead, world.manager, world.partner, world.data_team, world.front_door, world.admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(reverse("retention:sweeps")).status_code == 404
        assert client.post(reverse("retention:batch-decide", args=[batch.pk]),
                           {"decision": "approve", "reason": "x"}).status_code == 404
        assert AuditEvent.objects.filter(actor_id=user.pk, action=Action.DENIED).count() == len(urls) + 2
    assert SweepRun.objects.count() == 1 and LegalHold.objects.count() == 1
    client.logout()
    assert client.get(reverse("retention:home")).status_code == 302  # to sign in


def test_the_dpo_has_a_retention_item_in_the_navigation(client, world, db):
    client.force_login(world.dpo)
    assert 'href="/retention/">Retention</a>' in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(world.manager)
    assert 'href="/retention/"' not in client.get(reverse("web:dashboard")).content.decode()


def test_the_dpo_sees_every_page_and_each_view_is_audited(dpo_client, world, disposed):
    batch, certificate = disposed
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION,
                            criterion="known_to_csc", reason="Goddard letter")
    for url in _urls(batch, certificate, hold, RetentionRule.objects.get(code="CASE+6"), SweepRun.objects.first()):
        response = dpo_client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert not re.search(r"\sstyle=", page), url  # the CSP forbids inline styles
            assert "Pagefamily" not in page and "Alex" not in page, url
    # Every page but the two empty forms (new rule, new hold) and the PDF (an export) is a view event.
    assert AuditEvent.objects.filter(actor_id=world.dpo.pk, action=Action.VIEW).count() == 12
    assert AuditEvent.objects.filter(event="disposal_certificate.export", action=Action.EXPORT).exists()


def test_adding_a_rule_with_mistakes_shows_the_errors(dpo_client, world, loaded):
    url = reverse("retention:rule-new")
    data = {"code": "CASE+0", "record_class": "contacts_without_episode", "trigger": "episode_closure",
            "period_years": "0", "action": "destroy", "source": ""}
    page = dpo_client.post(url, data).content.decode()
    assert "There is a problem" in page and page.count("govuk-error-message") >= 3
    assert "The retention period must be at least 1 year" in page
    assert "Contacts that did not lead to an episode have no episode to close" in page
    assert 'href="#id_period_years"' in page and "<title>Error: " in page
    assert RetentionRule.objects.count() == 4
    data.update({"code": "LAST+3", "period_years": "3", "trigger": "last_activity", "source": "Schedule 2026"})
    response = dpo_client.post(url, data)
    assert response.status_code == 302
    assert RetentionRule.objects.get(code="LAST+3").is_active is False  # the checkbox was not ticked


def test_changing_a_rule_needs_a_reason_and_shows_its_history(dpo_client, world, loaded):
    rule = loaded["DOB+25"]
    url = reverse("retention:rule-edit", args=[rule.pk])
    data = {"record_class": rule.record_class, "trigger": rule.trigger, "period_years": "25", "action": "review",
            "source": rule.source, "is_active": "on", "change_reason": ""}
    assert "Enter the reason for the change" in dpo_client.post(url, data).content.decode()
    data["change_reason"] = "The council adopts DOB+25 for review"
    assert dpo_client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.action, rule.is_active) == ("review", True)
    assert "The council adopts DOB+25 for review" in dpo_client.get(url).content.decode()


@pytest.mark.promise("P20")
def test_placing_and_lifting_a_hold_through_the_pages(dpo_client, world, closed_family):
    family = closed_family()
    url = reverse("retention:hold-new")
    page = dpo_client.post(url, {"kind": "litigation", "scope": "household", "household_reference": "F123",
                                 "reason": ""}).content.decode()
    assert "There is no family with that reference" in page and "Enter the reason for the hold" in page
    assert not LegalHold.objects.exists()
    response = dpo_client.post(url, {"kind": "litigation", "scope": "household",
                                     "household_reference": family["household"].reference, "reason": "Claim"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    page = dpo_client.get(reverse("retention:holds")).content.decode()
    assert f"Family {family['household'].reference}" in page and "Lift" in page
    lift = reverse("retention:hold-lift", args=[hold.pk])
    assert "Enter the reason for lifting the hold" in dpo_client.post(lift, {"lift_reason": ""}).content.decode()
    assert dpo_client.post(lift, {"lift_reason": "Claim settled"}).status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.lift_reason == "Claim settled"
    assert "Claim settled" in dpo_client.get(reverse("retention:holds")).content.decode()


def test_running_a_sweep_from_the_page_shows_its_progress_and_report(dpo_client, world, loaded):
    response = dpo_client.post(reverse("retention:sweeps"))
    run = SweepRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("retention:sweep", args=[run.pk])
    assert run.requested_by == world.dpo
    page = dpo_client.get(response["Location"]).content.decode()
    assert "Finished: 0 families checked" in page and 'id="report-CASE+6"' in page
    running = SweepRun.objects.create(as_of=run.as_of, status="running", total=40, processed=10)
    page = dpo_client.get(reverse("retention:sweep", args=[running.pk])).content.decode()
    assert '<progress id="progress-' in page and 'max="40" value="10"' in page and "10 of 40 families checked (25%)" in page
    response = dpo_client.post(reverse("retention:sweeps"), follow=True)
    assert "A sweep is already waiting or running" in response.content.decode()
    assert SweepRun.objects.count() == 2


def test_a_batch_page_shows_the_dry_run_with_an_accessible_chart_and_takes_the_decision(dpo_client, world, loaded,
                                                                                       closed_family):
    family = closed_family()
    sweep.run_sweep(today=CASE_DUE)
    batch = DisposalBatch.objects.get()
    page = dpo_client.get(reverse("retention:batch", args=[batch.pk])).content.decode()
    assert '<svg role="img"' in page and "<title id=" in page  # the chart has a text alternative
    assert "Records by table" in page and "people.Household" in page and family["household"].reference in page
    decide = reverse("retention:batch-decide", args=[batch.pk])
    page = dpo_client.post(decide, {"decision": "approve", "reason": ""}).content.decode()
    assert "Enter the reason for your decision" in page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PENDING
    response = dpo_client.post(decide, {"decision": "approve", "reason": REASON}, follow=True)
    assert "is approved" in response.content.decode()
    page = dpo_client.post(decide, {"decision": "approve", "reason": REASON}).content.decode()
    assert "This batch has already been approved" in page


def test_disposing_from_the_page_needs_confirmation_and_leads_to_the_certificate(dpo_client, world, loaded,
                                                                                 closed_family, monkeypatch):
    family = closed_family()
    sweep.run_sweep(today=CASE_DUE)
    batch = DisposalBatch.objects.get()
    url = reverse("retention:batch-dispose", args=[batch.pk])
    page = dpo_client.post(url, {"confirm": "on"}).content.decode()
    assert "This batch has not been approved" in page
    disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason=REASON)
    assert "Confirm that you understand" in dpo_client.post(url, {}).content.decode()
    assert Household.objects.filter(pk=family["household"].pk).exists()
    real = disposal.dispose_batch
    monkeypatch.setattr(disposal, "dispose_batch", lambda **kwargs: real(**kwargs, today=CASE_DUE))
    response = dpo_client.post(url, {"confirm": "on"})
    certificate = DisposalCertificate.objects.get()
    assert response["Location"] == reverse("retention:certificate", args=[certificate.pk])
    assert not Household.objects.filter(pk=family["household"].pk).exists()
    page = dpo_client.get(response["Location"]).content.decode()
    assert certificate.reference in page and batch.reference in page and "CASE+6" in page
    assert "Early help case records of a family" in page
    pdf = dpo_client.get(reverse("retention:certificate-pdf", args=[certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert certificate.reference in text and "CASE+6" in text and world.dpo.get_full_name() in text
    assert family["household"].reference not in text and "Closedfamily" not in text
