"""The rights request pages (P19): only the DPO, everyone else an audited 404; a request logged and decided
through the pages; GOV.UK error summaries; the dashboard's chart; no inline styles or scripts."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.rights import deadlines, selectors, services
from earlyhelp.rights.models import (
    OPEN_STATUSES,
    Outcome,
    RecipientNotification,
    RequestStatus,
    RightsRequest,
)

from .conftest import days_ago

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _date(name, day: datetime.date) -> dict:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def restricted_request(world, family, log):
    request = log(kind="restriction", subject=family["members"][1], requester_name="Sam Testfamily")
    services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="Accuracy contested")
    return request


@pytest.fixture
def urls(world, family, log, restricted_request):
    request = log(kind="rectification")
    notification = RecipientNotification.objects.create(request=request, organisation=world.school)
    restriction = restricted_request.restrictions.get()
    person = family["members"][0].pk
    one = [request.pk]
    return [
        ("get", reverse("rights:dashboard")), ("get", reverse("rights:list")), ("get", reverse("rights:new")),
        ("get", reverse("rights:new-for-person", args=[person])), ("get", reverse("rights:new-without-record")),
        ("get", reverse("rights:detail", args=one)), ("get", reverse("rights:identity", args=one)),
        ("post", reverse("rights:start", args=one)), ("get", reverse("rights:pause", args=one)),
        ("get", reverse("rights:resume", args=one)), ("get", reverse("rights:extend", args=one)),
        ("get", reverse("rights:decide", args=one)), ("get", reverse("rights:correct", args=one)),
        ("get", reverse("rights:dispute", args=one)),
        ("get", reverse("rights:notification", args=[request.pk, notification.pk])),
        ("get", reverse("rights:lift-restriction", args=[restriction.pk])),
    ]


@pytest.mark.parametrize("who", ["front_door", "lead", "manager", "partner", "data_team", "admin"])
def test_everyone_but_the_dpo_gets_an_audited_404_on_every_page(client, world, urls, who):
    user = world.users[who]
    client.force_login(user)
    for method, url in urls:
        before = AuditEvent.objects.filter(actor=user, action=Action.DENIED).count()
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert AuditEvent.objects.filter(actor=user, action=Action.DENIED, purpose="rights_requests").count() \
            == before + 1, url
    assert not RightsRequest.objects.filter(status=RequestStatus.IN_PROGRESS).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, urls):
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("web:sign-in") in response["Location"]


def test_the_dpo_may_open_every_page(client, world, urls):
    client.force_login(world.dpo)
    session = client.session
    session["earlyhelp_rights_people_found"] = [RightsRequest.objects.first().subject_id]
    session.save()
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code in (200, 302), url


def test_a_missing_record_is_a_404_for_the_dpo_too(client, world):
    client.force_login(world.dpo)
    assert client.get(reverse("rights:detail", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(actor=world.dpo, action=Action.DENIED, object_ids=[999999]).exists()


def test_only_the_dpo_sees_the_navigation_item(client, world):
    link = f'href="{reverse("rights:dashboard")}"'
    for who in ("dpo", "lead", "manager", "front_door", "partner", "data_team", "admin"):
        client.force_login(world.users[who])
        page = client.get(reverse("web:dashboard")).content.decode()
        assert (link in page and "Rights requests" in page) is (who == "dpo"), who


def test_logging_a_request_through_the_pages(client, world, family):
    client.force_login(world.dpo)
    mother, _, child, _ = family["members"]
    found = client.post(reverse("rights:new"), {"family_name": "Testfamily", "given_name": "Jamie"}).content.decode()
    assert reverse("rights:new-for-person", args=[child.pk]) in found and "Log a request" in found
    assert AuditEvent.objects.filter(event="rights_person.search", actor=world.dpo).exists()
    # Only someone the search found can be chosen.
    assert client.get(reverse("rights:new-for-person", args=[family["members"][1].pk])).status_code == 404
    url = reverse("rights:new-for-person", args=[child.pk])
    form = client.get(url).content.decode()
    assert "Alex Testfamily (parent, has parental responsibility)" in form  # from the recorded relationship
    data = {"kind": "access", "channel": "email", "requester_relationship": "parent_carer",
            "requester_person": str(mother.pk), "requester_email": "parent@example.invalid",
            "identity_check": "seen", "id_evidence": "Driving licence seen", "details": "Jamie's school reports",
            **_date("received_on", days_ago(2)), **_date("id_seen_on", days_ago(2))}

    missing = client.post(url, {**data, "requester_person": "", "requester_name": ""})
    page = missing.content.decode()
    assert missing.status_code == 200 and "There is a problem" in page
    assert '<a href="#id_requester_name">Enter who made the request</a>' in page
    assert "<title>Error:" in page
    assert not RightsRequest.objects.exists()

    saved = client.post(url, data)
    request = RightsRequest.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("rights:detail", args=[request.pk])
    assert request.subject == child and request.requester_person == mother and request.parental_responsibility_checked
    assert request.due_on == deadlines.due_date(days_ago(2))
    detail = client.get(saved["Location"]).content.decode()
    assert request.reference in detail and "Jamie Testfamily" in detail
    assert request.due_on.strftime("%-d %B %Y") in detail
    assert AuditEvent.objects.filter(event="rights_request.view", actor=world.dpo, purpose="rights_requests").exists()
    # No personal data in the URLs the pages use.
    assert "Jamie" not in saved["Location"] and "Testfamily" not in saved["Location"]


def test_a_request_about_someone_not_on_our_records(client, world, family):
    client.force_login(world.dpo)
    response = client.post(reverse("rights:new-without-record"), {
        "kind": "access", "channel": "writing", "requester_relationship": "self", "requester_name": "Pat Nobody",
        "requester_address": "3 Elsewhere", "identity_check": "not_needed",
        "id_evidence": "Known to the front door team", **_date("received_on", timezone.localdate())})
    assert response.status_code == 302
    assert RightsRequest.objects.get().subject is None


def test_deciding_through_the_page_shows_errors_then_records_the_decision(client, world, log):
    request = log(kind="erasure")
    client.force_login(world.dpo)
    url = reverse("rights:decide", args=[request.pk])
    page = client.get(url).content.decode()
    assert "Refused because processing is a public task" in page and "I understand that erasing" in page
    refused = client.post(url, {"outcome": "refused_public_task", "reason": ""})
    assert refused.status_code == 200 and "Enter the reasons for refusing" in refused.content.decode()
    unconfirmed = client.post(url, {"outcome": "complied", "reason": ""})
    assert "Confirm that you understand" in unconfirmed.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    done = client.post(url, {"outcome": "refused_public_task", "reason": "The case is open under s17"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED and request.outcome_reason == "The case is open under s17"
    detail = client.get(reverse("rights:detail", args=[request.pk])).content.decode()
    assert "The case is open under s17" in detail and "Record the decision" not in detail


def test_pausing_extending_and_correcting_through_the_pages(client, world, family, log):
    request = log(kind="rectification", received_on=days_ago(10), id_seen_on=days_ago(10))
    client.force_login(world.dpo)
    assert client.post(reverse("rights:start", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS and request.handled_by == world.dpo
    correct = client.post(reverse("rights:correct", args=[request.pk]), {
        "given_name": "Alexandra", "family_name": "Testfamily", "gender": "female", "ethnicity": "NOBT",
        "disability": "unknown", "special_educational_needs": "unknown", **_date("date_of_birth", datetime.date(1985, 3, 4))})
    assert correct.status_code == 302
    family["members"][0].refresh_from_db()
    assert family["members"][0].given_name == "Alexandra"
    extend = client.post(reverse("rights:extend", args=[request.pk]), {"reason": "", **_date("notified_on", days_ago(1))})
    assert "Enter why the request needs more time" in extend.content.decode()
    client.post(reverse("rights:extend", args=[request.pk]), {"reason": "Many records",
                                                               **_date("notified_on", days_ago(1))})
    client.post(reverse("rights:pause", args=[request.pk]), {"reason": "Which name is right?",
                                                              **_date("started_on", days_ago(1))})
    request.refresh_from_db()
    assert request.is_extended and request.status == RequestStatus.AWAITING_CLARIFICATION
    detail = client.get(reverse("rights:detail", args=[request.pk])).content.decode()
    assert "The clock is paused" in detail and "Record the clarification" in detail and "Given name" in detail
    client.post(reverse("rights:resume", args=[request.pk]), _date("ended_on", timezone.localdate()))
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.due_on == deadlines.due_date(days_ago(10), pauses=[(days_ago(1), timezone.localdate())],
                                                         extended=True)


def test_the_dashboard_counts_due_and_overdue_requests_with_an_accessible_chart(client, world, log):
    log(received_on=days_ago(60), id_seen_on=days_ago(60))  # overdue
    log(received_on=days_ago(28), id_seen_on=days_ago(28))  # due within days
    log()  # due in a month
    log(identity_check="requested", id_requested_on=timezone.localdate(), id_seen_on=None, id_evidence="")
    client.force_login(world.dpo)
    page = client.get(reverse("rights:dashboard")).content.decode()
    assert '<svg role="img"' in page and "Open requests by deadline" in page
    assert "Overdue: 1" in page and "Waiting for proof of identity or authority: 1" in page
    assert "Due later: 1" in page
    event = AuditEvent.objects.filter(event="rights_dashboard.view").last()
    assert event.metadata["overdue"] == 1 and event.metadata["awaiting_id"] == 1
    listed = client.get(reverse("rights:list") + "?deadline=overdue").content.decode()
    assert "1 request." in listed and "Overdue</strong>" in listed


def test_the_dashboards_chart_puts_each_open_request_in_one_bar(client, world, log):
    """A request from the online form waits for proof of identity with its clock running: it is in its deadline's
    bar, not in the waiting bar as well (each bar's requests are the chart's share of the open requests)."""
    log(received_on=days_ago(28), id_seen_on=days_ago(28))  # due within days
    online = log(received_on=days_ago(27), identity_check="requested", id_requested_on=timezone.localdate(),
                 id_seen_on=None, id_evidence="")
    RightsRequest.objects.filter(pk=online.pk).update(  # as the online form records it (`services.online`)
        identity_check="not_yet", clock_started_on=days_ago(27), due_on=deadlines.due_date(days_ago(27)))
    log(identity_check="requested", id_requested_on=timezone.localdate(), id_seen_on=None, id_evidence="")
    client.force_login(world.dpo)
    board = selectors.dashboard(world.dpo, today=timezone.localdate())
    chart = dict(board.chart)
    assert chart["Due in 7 days"] == 2 and chart["Waiting for proof"] == 1
    assert sum(chart.values()) == RightsRequest.objects.filter(status__in=OPEN_STATUSES).count() == 3
    page = client.get(reverse("rights:dashboard")).content.decode()
    assert "Waiting for proof 1" in page and "Waiting for proof of identity or authority: 2" in page


def test_rights_templates_have_no_inline_styles_or_scripts():
    # Pages are served under the content security policy; the subject access pack's PDF template (pdf/) is
    # rendered by WeasyPrint and never served, so it keeps its print styles.
    for template in TEMPLATES.rglob("*.html"):
        if "pdf" in template.relative_to(TEMPLATES).parts:
            continue
        text = template.read_text()
        assert not re.search(r"\sstyle=|<style|<script|\son[a-z]+=", text), template.name
