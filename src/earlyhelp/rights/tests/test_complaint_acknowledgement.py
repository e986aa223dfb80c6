"""A data protection complaint is acknowledged within 30 days of receipt, from 19 June 2026 (P25; DPA 2018 s164A)."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.rights import acknowledgement
from earlyhelp.rights.acknowledgement_models import ComplaintAcknowledgement
from earlyhelp.rights.services import acknowledge_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P25")]

RECEIVED = datetime.date(2026, 7, 1)
DAY_30 = datetime.date(2026, 7, 31)
DAY_31 = datetime.date(2026, 8, 1)


@pytest.fixture
def complaint(log):
    return log(kind="complaint", received_on=RECEIVED, id_seen_on=RECEIVED,
               details="My information was sent to the wrong school")


def test_the_acknowledgement_is_due_30_days_after_receipt():
    assert acknowledgement.due_on(RECEIVED) == DAY_30
    assert acknowledgement.due_on(datetime.date(2026, 6, 19)) == datetime.date(2026, 7, 19)


def test_complaints_received_before_19_june_2026_are_not_held_to_it():
    assert acknowledgement.due_on(datetime.date(2026, 6, 18)) is None


def test_on_day_30_it_is_due_and_on_day_31_overdue(complaint):
    assert not acknowledgement.clock_for(complaint, today=DAY_30).is_overdue
    assert acknowledgement.clock_for(complaint, today=DAY_30).days_left == 0
    assert acknowledgement.clock_for(complaint, today=DAY_31).is_overdue


def test_acknowledged_on_day_30_is_on_time(world, complaint):
    acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=DAY_30, method="email")
    complaint.refresh_from_db()
    clock = acknowledgement.clock_for(complaint, today=DAY_31)
    assert not clock.is_overdue and not clock.was_late
    event = AuditEvent.objects.get(event="complaint.acknowledge")
    assert (event.actor, event.object_ids, event.metadata["late"], event.metadata["method"]) == (
        world.dpo, [complaint.pk], False, "email")


def test_acknowledged_on_day_31_is_recorded_as_late(world, complaint):
    acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=DAY_31, method="letter")
    complaint.refresh_from_db()
    assert acknowledgement.clock_for(complaint, today=DAY_31).was_late
    assert AuditEvent.objects.get(event="complaint.acknowledge").metadata["late"] is True


def test_a_complaint_received_before_19_june_2026_needs_no_acknowledgement(log):
    old = log(kind="complaint", received_on=datetime.date(2026, 6, 18), id_seen_on=datetime.date(2026, 6, 18))
    clock = acknowledgement.clock_for(old, today=datetime.date(2026, 12, 1))
    assert not clock.required and not clock.is_overdue


def test_bad_acknowledgements_are_refused_and_nothing_is_written(world, complaint, log):
    with pytest.raises(ValidationError) as refused:
        acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=RECEIVED - datetime.timedelta(days=1),
                              method="pigeon")
    assert refused.value.message_dict == {"acknowledged_on": [acknowledgement.BEFORE_RECEIPT],
                                          "method": [acknowledgement.CHOOSE_METHOD]}
    access = log(kind="access")
    with pytest.raises(ValidationError, match=acknowledgement.NOT_A_COMPLAINT):
        acknowledge_complaint(by=world.dpo, request=access, acknowledged_on=RECEIVED, method="email")
    with pytest.raises(PermissionDenied):
        acknowledge_complaint(by=world.manager, request=complaint, acknowledged_on=RECEIVED, method="email")
    assert not ComplaintAcknowledgement.objects.exists()
    acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=RECEIVED, method="email")
    with pytest.raises(ValidationError, match=acknowledgement.ALREADY_ACKNOWLEDGED):
        acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=RECEIVED, method="email")


def test_the_dashboard_shows_complaints_awaiting_acknowledgement_due_and_overdue(client, world, complaint, log):
    before = log(kind="complaint", received_on=datetime.date(2026, 6, 18), id_seen_on=datetime.date(2026, 6, 18))
    client.force_login(world.dpo)
    page = html.unescape(client.get(reverse("rights:dashboard")).content.decode())
    section = page[page.index('id="acknowledgements"'):]
    assert complaint.reference in section and "Overdue" in section  # received 1 July 2026; today is later
    assert before.reference not in section
    event = AuditEvent.objects.get(event="complaint_acknowledgements.view")
    assert event.object_ids == [complaint.pk] and event.metadata == {"overdue": 1}
    acknowledge_complaint(by=world.dpo, request=complaint, acknowledged_on=DAY_30, method="email")
    page = html.unescape(client.get(reverse("rights:dashboard")).content.decode())
    assert complaint.reference not in page[page.index('id="acknowledgements"'):]


def test_the_complaint_page_shows_the_clock_and_records_the_acknowledgement(client, world, complaint):
    client.force_login(world.dpo)
    page = html.unescape(client.get(reverse("rights:detail", args=[complaint.pk])).content.decode())
    assert "Due by 31 July 2026" in page and reverse("rights:acknowledge", args=[complaint.pk]) in page
    response = client.post(reverse("rights:acknowledge", args=[complaint.pk]), {
        "acknowledged_on_day": "31", "acknowledged_on_month": "7", "acknowledged_on_year": "2026", "method": "email"})
    assert response.status_code == 302
    page = html.unescape(client.get(reverse("rights:detail", args=[complaint.pk])).content.decode())
    assert "Acknowledged on 31 July 2026 by email" in page and "Late" not in page


@pytest.mark.parametrize("who", ["front_door", "lead", "manager", "partner", "data_team", "admin"])
def test_only_the_dpo_may_record_an_acknowledgement(client, world, complaint, who):
    client.force_login(world.users[who])
    assert client.get(reverse("rights:acknowledge", args=[complaint.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.users[who]).exists()
