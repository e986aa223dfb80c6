"""Rectification (P5, P19): corrections through the people services with history; disputes shown on the record;
everyone the family's information was disclosed to listed and told (Article 19)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.people.models import Membership, Person
from earlyhelp.rights import services
from earlyhelp.rights.models import (
    Outcome,
    RecipientNotification,
    RecordDispute,
    RequestStatus,
)
from earlyhelp.testing.world import give_consent, make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P5", "P19")]


@pytest.fixture
def rectification(world, family, log):
    return log(kind="rectification", details="My date of birth and name are wrong")


def test_a_correction_goes_through_the_people_services_and_keeps_what_was_there_before(world, family, rectification):
    mother = family["members"][0]
    request = services.apply_corrections(by=world.dpo, request=rectification, changes={
        "given_name": "Alexandra", "date_of_birth": datetime.date(1985, 4, 3), "family_name": "Testfamily"})
    mother.refresh_from_db()
    assert (mother.given_name, mother.date_of_birth) == ("Alexandra", datetime.date(1985, 4, 3))
    assert mother.given_name_key  # kept in step by people.services
    assert request.corrected_fields == ["date_of_birth", "given_name"]  # unchanged family name is not "corrected"
    assert request.status == RequestStatus.IN_PROGRESS
    history = list(mother.history.order_by("history_date"))
    assert history[-2].given_name == "Alex" and history[-2].date_of_birth == datetime.date(1985, 3, 4)
    assert history[-1].history_change_reason == f"Corrected under rights request {request.reference}"
    change = AuditEvent.objects.filter(event="person.change").last()
    assert change.actor == world.dpo and change.metadata == {"fields": ["date_of_birth", "given_name"]}
    correct = AuditEvent.objects.get(event="rights_request.correct")
    assert correct.metadata["fields"] == ["date_of_birth", "given_name"] and correct.purpose == "rights_requests"


def test_identifiers_and_a_new_address_are_corrected_through_their_services(world, family, rectification):
    mother = family["members"][0]
    old_address = mother.addresses.get(valid_to__isnull=True)
    services.apply_corrections(by=world.dpo, request=rectification, changes={
        "identifier_ni": "AB 12 34 56 C", "line_1": "2 New Road", "town": "Testtown", "postcode": "sw1a 2aa",
        "valid_from": timezone.localdate()})
    assert mother.identifiers.get(scheme="ni").value == "AB123456C"
    old_address.refresh_from_db()
    assert old_address.valid_to == timezone.localdate() - datetime.timedelta(days=1)
    assert mother.addresses.get(valid_to__isnull=True).postcode == "SW1A 2AA"
    rectification.refresh_from_db()
    assert rectification.corrected_fields == ["address", "identifier_ni"]


def test_a_bad_correction_is_refused_on_its_field_and_nothing_changes(world, family, rectification):
    mother = family["members"][0]
    for changes, field in [({"given_name": "  "}, "given_name"), ({"gender": "robot"}, "gender"),
                           ({"date_of_birth": timezone.localdate() + datetime.timedelta(days=3)}, "date_of_birth"),
                           ({"identifier_nhs": "12345"}, "identifier_nhs"),
                           ({"line_1": "2 New Road", "town": "Testtown", "postcode": "SW1A 2AA"}, "valid_from")]:
        with pytest.raises(ValidationError) as caught:
            services.apply_corrections(by=world.dpo, request=rectification, changes={"family_name": "Newname",
                                                                                     **changes})
        assert field in caught.value.message_dict
    mother.refresh_from_db()
    assert mother.family_name == "Testfamily"
    rectification.refresh_from_db()
    assert rectification.corrected_fields == [] and rectification.status == RequestStatus.RECEIVED
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.apply_corrections(by=world.dpo, request=rectification, changes={"given_name": "Alex"})


def test_corrections_only_under_a_rectification_request(world, family, log):
    with pytest.raises(ValidationError, match="request to correct"):
        services.apply_corrections(by=world.dpo, request=log(kind="access"), changes={"given_name": "Al"})


def test_when_the_council_disagrees_the_record_is_marked_disputed_and_shown_on_the_persons_page(
        world, family, rectification, client):
    mother = family["members"][0]
    with pytest.raises(ValidationError) as caught:
        services.record_dispute(by=world.dpo, request=rectification, disputed="", statement="", council_reason="")
    assert set(caught.value.message_dict) == {"disputed", "statement", "council_reason"}
    with pytest.raises(ValidationError, match="statement first"):
        services.decide(by=world.dpo, request=rectification, outcome=Outcome.DISPUTED, reason="Not wrong")
    dispute = services.record_dispute(
        by=world.dpo, request=rectification, disputed="The case note of 3 March says I missed the appointment",
        statement="I was there; the worker was late and I had to leave for work",
        council_reason="The note records what the worker saw at the time")
    assert dispute.person == mother and dispute.recorded_by == world.dpo
    decided = services.decide(by=world.dpo, request=rectification, outcome=Outcome.DISPUTED,
                              reason="The council believes the note is accurate; the statement is on the record")
    assert decided.status == RequestStatus.REFUSED

    client.force_login(world.lead)
    page = client.get(reverse("web:person", args=[mother.pk])).content.decode()
    assert "The person disputes parts of this record" in page
    assert "I was there; the worker was late" in page and "The note records what the worker saw" in page
    assert rectification.reference in page
    other = family["members"][1]
    assert "disputes parts" not in client.get(reverse("web:person", args=[other.pk])).content.decode()


def test_recipients_of_the_familys_information_are_listed_for_notification_and_telling_them_is_recorded(
        world, rectification):
    # The family is shared with the school (Team Around the Family) and, for a former family, with health.
    family_now = rectification.subject.memberships.get().household
    episode = family_now.episodes.get()
    give_consent(world.manager, family_now, rectification.subject, {"school"})
    casework.add_taf_member(by=world.manager, episode=episode, practitioner=world.partner)
    earlier = make_family(world, lead=world.other_lead, team=world.south, taf=[world.other_partner],
                          family_name="Earlier", seed=3)
    Membership.objects.create(household=earlier["household"], person=rectification.subject, role="parent_carer",
                              start_date=datetime.date(2021, 1, 1), end_date=datetime.date(2022, 1, 1))
    unrelated = make_family(world, lead=world.lead, taf=[world.other_partner], family_name="Unrelated", seed=4)
    assert unrelated["household"].disclosures.exists()

    recipients = services.disclosure_recipients(rectification.subject_id)
    assert {org.name for org in recipients} == {"Hillside Primary School", "Test Community Health"}

    services.apply_corrections(by=world.dpo, request=rectification, changes={"preferred_name": "Lexi"})
    services.decide(by=world.dpo, request=rectification, outcome=Outcome.COMPLIED)
    notifications = list(rectification.notifications.order_by("organisation__name"))
    assert [n.organisation.name for n in notifications] == ["Hillside Primary School", "Test Community Health"]
    assert all(not n.is_done for n in notifications)

    school = notifications[0]
    with pytest.raises(ValidationError) as caught:
        services.record_notification(by=world.dpo, notification=school, notified_on=None, method="carrier_pigeon")
    assert set(caught.value.message_dict) == {"method", "notified_on"}
    with pytest.raises(ValidationError) as caught:
        services.record_notification(by=world.dpo, notification=school, notified_on=timezone.localdate(),
                                     method="not_possible")
    assert "note" in caught.value.message_dict
    done = services.record_notification(by=world.dpo, notification=school, notified_on=timezone.localdate(),
                                        method="secure_email")
    assert done.is_done and done.recorded_by == world.dpo
    with pytest.raises(ValidationError, match="already been recorded"):
        services.record_notification(by=world.dpo, notification=school, notified_on=timezone.localdate(),
                                     method="letter")
    assert RecipientNotification.objects.filter(method="").count() == 1


def test_a_rectification_decision_needs_a_correction(world, rectification):
    with pytest.raises(ValidationError, match="Make the corrections first"):
        services.decide(by=world.dpo, request=rectification, outcome=Outcome.COMPLIED)
    assert not RecordDispute.objects.exists()
    assert Person.objects.get(pk=rectification.subject_id).given_name == "Alex"


def test_the_request_page_lists_who_to_tell_and_records_telling_them(world, rectification, client):
    family_now = rectification.subject.memberships.get().household
    give_consent(world.manager, family_now, rectification.subject, {"school"})
    casework.add_taf_member(by=world.manager, episode=family_now.episodes.get(), practitioner=world.partner)
    client.force_login(world.dpo)
    url = reverse("rights:detail", args=[rectification.pk])
    before = client.get(url).content.decode()
    assert "Who we shared the family" in before and "Hillside Primary School: Partner Tester" in before
    services.apply_corrections(by=world.dpo, request=rectification, changes={"preferred_name": "Lexi"})
    services.decide(by=world.dpo, request=rectification, outcome=Outcome.COMPLIED)
    notification = rectification.notifications.get()
    after = client.get(url).content.decode()
    assert "Telling the people we shared with" in after and "Partner Tester" in after
    assert reverse("rights:notification", args=[rectification.pk, notification.pk]) in after
    assert "Preferred name" in after  # what was corrected, by field, never by value
    response = client.post(reverse("rights:notification", args=[rectification.pk, notification.pk]), {
        "method": "secure_email", "notified_on_day": str(timezone.localdate().day),
        "notified_on_month": str(timezone.localdate().month), "notified_on_year": str(timezone.localdate().year)})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.is_done and notification.method == "secure_email"
    assert "Secure email" in client.get(url).content.decode()
