"""A rights request made through the online form: its clock, the DPO's register, the identity step, and the
acknowledgement e-mail (issue 15; P5, P19, P25)."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from earlyhelp.audit import context
from earlyhelp.audit.models import AuditEvent
from earlyhelp.messaging.models import Outcome as MessageOutcome
from earlyhelp.messaging.models import SentMessage
from earlyhelp.rights import deadlines, selectors, services
from earlyhelp.rights.retention_classes import dispose
from earlyhelp.rights.models import Channel, IdentityCheck, Outcome, RequestStatus, RightsRequest
from earlyhelp.rights.services.online import receive_online_request

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


def online(**overrides):
    values = {"kind": "access", "requester_name": "Robin Testperson", "requester_relationship": "self",
              "requester_email": "robin@example.com", "details": "Everything you hold about me"}
    return receive_online_request(**{**values, **overrides})


def test_an_online_subject_access_request_starts_its_clock_on_the_day_it_arrives(world):
    arrived = datetime.datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    request = online(received_at=arrived)
    assert request.reference.startswith("RR-") and request.channel == Channel.WEB
    assert request.received_on == request.clock_started_on == datetime.date(2026, 11, 10)
    assert request.due_on == deadlines.due_date(datetime.date(2026, 11, 10)) == datetime.date(2026, 12, 10)
    assert request.status == RequestStatus.AWAITING_ID and request.identity_check == IdentityCheck.NOT_YET
    assert request.recorded_by is None and request.subject is None and request.requester_person is None


# A family can ask for their records, a correction, a withdrawal of consent or a complaint without a phone call.
@pytest.mark.promise("P5.1")
@pytest.mark.promise("P9.2")
@pytest.mark.promise("P25.1")
@pytest.mark.parametrize("kind", ["access", "rectification", "consent_withdrawal", "complaint"])
def test_each_kind_asked_online_is_in_the_register_with_its_clock_and_names_nobody(world, kind):
    request = online(kind=kind, requester_relationship="parent_carer", subject_name="Jo Testperson",
                     subject_date_of_birth=datetime.date(2015, 3, 27), details="What I am asking for")
    listed = selectors.request_list(world.dpo, today=request.received_on, kind=kind, channel="web")
    assert listed == [request] and request.clock_started_on == request.received_on
    assert request.subject is None and request.consent is None and request.requester_person is None
    assert request.subject_name == "Jo Testperson" and request.status == RequestStatus.AWAITING_ID


@pytest.mark.parametrize(("arrived", "day"), [
    # 23:30 in London on 30 June (British Summer Time) is 22:30 UTC: still 30 June.
    (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=LONDON), datetime.date(2026, 6, 30)),
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: the request arrived on 1 July.
    (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC), datetime.date(2026, 7, 1)),
    # In winter London is on UTC: one second before midnight is still 31 December.
    (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), datetime.date(2026, 12, 31)),
    (datetime.datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC), datetime.date(2027, 1, 1)),
])
def test_the_day_it_arrives_is_the_councils_day_at_the_boundary(world, arrived, day):
    request = online(received_at=arrived)
    assert request.received_on == request.clock_started_on == day
    assert request.due_on == deadlines.due_date(day)


def test_it_appears_in_the_dpos_register_with_its_source_and_can_be_filtered_by_it(world, client):
    arrived = datetime.datetime.now(UTC)
    web = online(received_at=arrived)
    letter = services.log_request(
        by=world.dpo, kind="access", received_on=web.received_on, requester_relationship="self",
        requester_name="Sam Letterwriter", requester_address="1 Test Street", identity_check="seen",
        id_seen_on=web.received_on, id_evidence="Passport")
    today = web.received_on
    assert web in selectors.request_list(world.dpo, today=today, channel="web")
    assert letter not in selectors.request_list(world.dpo, today=today, channel="web")
    # Its clock is running while the DPO checks identity: it counts among requests due.
    assert web in selectors.deadline_filter(RightsRequest.objects.all(), "due_later", today=today)

    client.force_login(world.dpo)
    page = client.get(reverse("rights:list"), {"channel": "web"}).content.decode()
    assert web.reference in page and letter.reference not in page and "Online form" in page
    detail = client.get(reverse("rights:detail", args=[web.pk])).content.decode()
    assert "Not checked yet" in detail and "online form" in detail
    assert "Record proof of identity or authority" in detail


def test_nothing_is_done_or_disclosed_until_the_dpo_checks_identity_and_the_clock_keeps_its_start(world):
    request = online(received_at=datetime.datetime.now(UTC) - datetime.timedelta(days=3))
    with pytest.raises(ValidationError):
        services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="",
                        response_text="Here it is")
    with pytest.raises(ValidationError):
        services.start_work(by=world.dpo, request=request)
    checked = services.record_identity(by=world.dpo, request=request, id_seen_on=datetime.date.today(),
                                       id_evidence="Driving licence seen by video call")
    assert checked.status == RequestStatus.RECEIVED and checked.identity_check == IdentityCheck.SEEN
    assert checked.clock_started_on == request.received_on  # not moved to the day proof arrived
    assert checked.due_on == deadlines.due_date(request.received_on)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"requester_name": "  "}, "requester_name"),
    ({"requester_email": "not-an-email"}, "requester_email"),
    ({"requester_email": "", "requester_address": "", "requester_phone": ""}, "requester_address"),
    ({"requester_relationship": "parent_carer", "subject_name": ""}, "subject_name"),
    ({"requester_relationship": "other"}, "requester_relationship_detail"),
    ({"requester_name": "R" * 10_000}, "requester_name"),
    ({"details": "x" * 10_000}, "details"),
    ({"kind": "erasure"}, "kind"),
    ({"kind": "complaint", "details": ""}, "details"),
    ({"requester_relationship": "parent_carer", "subject_name": "Jo Testperson",
      "subject_date_of_birth": datetime.date.today() + datetime.timedelta(days=2)}, "subject_date_of_birth"),
])
def test_bad_input_names_the_field_and_nothing_is_stored(world, overrides, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        online(**overrides)
    assert field in raised.value.message_dict
    assert not RightsRequest.objects.exists() and not SentMessage.objects.exists()
    assert AuditEvent.objects.count() == events


def test_only_a_request_from_the_online_form_has_nobody_who_recorded_it(world):
    request = online()
    with pytest.raises(IntegrityError), transaction.atomic():
        RightsRequest.objects.filter(pk=request.pk).update(channel=Channel.WRITING)


def test_the_acknowledgement_is_sent_after_the_request_is_stored_and_recorded(
        world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = online(requester_name="Robin Uniquename", details="My file please, Uniquename")
    [message] = mail.outbox
    assert message.to == ["robin@example.com"] and request.reference in message.body
    assert "Uniquename" not in message.body + message.subject  # nothing but the reference and fixed text
    [sent] = SentMessage.objects.all()
    assert (sent.kind, sent.reference, sent.to_address, sent.outcome) == (
        "rights_request", request.reference, "robin@example.com", MessageOutcome.SENT)
    assert sent.template == "rights/email/acknowledgement.txt" and sent.attempted_at is not None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("robin@example.com could not be reached")


@override_settings(EMAIL_BACKEND=f"{__name__}.BrokenBackend")
def test_a_failure_to_send_is_recorded_and_the_request_is_kept(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = online()
    assert RightsRequest.objects.filter(pk=request.pk).exists()
    [sent] = SentMessage.objects.all()
    assert sent.outcome == MessageOutcome.FAILED and sent.failure == "ConnectionRefusedError"
    assert "example.com" not in sent.failure


def test_no_message_is_sent_without_an_address(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        online(requester_email="", requester_address="2 Test Road, Testtown")
    assert not mail.outbox and not SentMessage.objects.exists()


def test_disposing_of_the_request_takes_its_acknowledgement_with_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = online()
    counts = dispose([request.pk], by=world.dpo, reason="Retention period over")
    assert counts["messaging.SentMessage"] == 1 and not SentMessage.objects.exists()
    assert RightsRequest.objects.get(pk=request.pk).requester_email == ""


def test_the_dpo_names_the_person_from_their_own_search_and_nothing_is_matched_automatically(world, family, client):
    mother = family["members"][0]
    request = online(requester_name=mother.full_name, requester_email="", requester_address="Somewhere")
    assert request.subject is None and request.requester_person is None  # same name as someone on record: no link
    match_person = reverse("rights:match-person", args=[request.pk, mother.pk])
    client.force_login(world.lead)  # only the DPO handles rights requests
    assert client.get(reverse("rights:match", args=[request.pk])).status_code == 404
    assert client.post(match_person).status_code == 404
    client.force_login(world.dpo)
    assert client.post(match_person).status_code == 404  # only someone the DPO's search found can be chosen
    found = client.post(reverse("rights:match", args=[request.pk]),
                        {"family_name": mother.family_name, "given_name": mother.given_name})
    assert mother.full_name in found.content.decode()
    assert client.post(match_person).status_code == 302
    request.refresh_from_db()
    assert request.subject == mother and request.requester_person == mother
    with pytest.raises(ValidationError):
        services.match_subject(by=world.dpo, request=request, subject=family["members"][1])


@pytest.mark.promise("P23")
def test_the_audit_events_name_the_request_and_message_by_id_and_keep_nothing_of_the_visitor(
        world, django_capture_on_commit_callbacks):
    token = context.set_current(context.RequestContext(source_ip="192.0.2.7", route="online:rights-check"))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            request = online(requester_name="Robin Uniquename", details="Uniquename's file")
    finally:
        context.reset(token)
    events = {e.event: e for e in AuditEvent.objects.filter(event__in=[
        "rights_request.online", "message.queue", "message.send"])}
    assert set(events) == {"rights_request.online", "message.queue", "message.send"}
    assert events["rights_request.online"].object_ids == [request.pk]
    for event in events.values():
        assert event.actor_id is None and event.source_ip is None and event.metadata["public"] is True
        assert "Uniquename" not in str(event.metadata) and "example.com" not in str(event.metadata)
