"""Logging rights requests, identity and authority, the clock in the register, and decisions (P19)."""

import datetime
import re
import types

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.privacy.models import ConsentStatus
from earlyhelp.privacy.services import consent as consents
from earlyhelp.rights import deadlines, services
from earlyhelp.rights.models import (
    ClockPause,
    Outcome,
    ProcessingRestriction,
    RequestStatus,
    RightsRequest,
)
from earlyhelp.testing.world import make_family

from .conftest import days_ago, request_values

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]


def _events(request, event=None):
    # JSON "contains" is not portable to SQLite: filter in Python (a test has few events).
    events = [e for e in AuditEvent.objects.filter(object_type="rights.rightsrequest") if request.pk in e.object_ids]
    return [e for e in events if event is None or e.event == event]


# --- Logging ---------------------------------------------------------------------------------------

def test_a_request_gets_a_yearly_reference_starts_the_clock_on_receipt_and_is_audited(world, family, log):
    first = log(received_on=days_ago(3))
    second = log(kind="erasure")
    year = timezone.localdate().year
    assert re.fullmatch(rf"RR-{year}-\d{{5}}", first.reference)
    assert first.reference == f"RR-{year}-00001" and second.reference == f"RR-{year}-00002"
    assert first.status == RequestStatus.RECEIVED and first.clock_started_on == days_ago(3)
    assert first.due_on == deadlines.due_date(days_ago(3))
    assert first.requester_person == family["members"][0]  # asking for themselves
    [event] = _events(first, "rights_request.create")
    assert event.purpose == Purpose.RIGHTS_REQUESTS and event.action == Action.CREATE
    assert event.actor == world.dpo


def test_audit_metadata_names_no_one(world, family, log):
    request = log(requester_email="alex@example.invalid", requester_phone="07700 900123")
    services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED)
    for event in _events(request):
        text = str(event.metadata)
        for personal in ("Alex", "Testfamily", "Passport", "Test Street", "example.invalid", "07700", "Everything"):
            assert personal not in text


def test_without_a_requester_nothing_is_saved(world, family, log):
    before_requests, before_events = RightsRequest.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        log(requester_name="  ", requester_person=None)
    assert caught.value.message_dict["requester_name"] == ["Enter who made the request"]
    assert RightsRequest.objects.count() == before_requests and AuditEvent.objects.count() == before_events


@pytest.mark.parametrize("overrides, field, message", [
    ({"kind": "sell_my_data"}, "kind", "Choose what the person is asking for"),
    ({"received_on": timezone.localdate() + datetime.timedelta(days=1)}, "received_on", "today or in the past"),
    ({"requester_relationship": "cousin"}, "requester_relationship", "Choose how the requester"),
    ({"requester_relationship": "other", "authority_evidence": "Letter"}, "requester_relationship_detail",
     "Enter how the requester is connected"),
    ({"requester_address": "", "requester_email": "", "requester_phone": ""}, "requester_address",
     "at least one way to reply"),
    ({"requester_email": "not an email"}, "requester_email", "correct format"),
    ({"id_evidence": ""}, "id_evidence", "Enter the proof of identity you saw"),
    ({"id_seen_on": None}, "id_seen_on", "Enter the date you saw proof"),
    ({"identity_check": "requested", "id_requested_on": None}, "id_requested_on", "Enter the date you asked"),
    ({"identity_check": "not_needed", "id_evidence": ""}, "id_evidence", "why proof of identity is not needed"),
    ({"requester_relationship": "solicitor"}, "authority_evidence", "written authority"),
    ({"requester_relationship": "written_authority"}, "authority_evidence", "written authority"),
])
def test_bad_input_is_refused_with_a_specific_error_on_its_field(world, family, log, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        log(**overrides)
    assert message in " ".join(caught.value.message_dict[field])
    assert not RightsRequest.objects.exists()


def test_only_the_dpo_handles_rights_requests(world, family):
    for who in ("lead", "manager", "front_door", "partner", "data_team", "admin"):
        with pytest.raises(PermissionDenied):
            services.log_request(**request_values(world, family["members"][0], by=world.users[who]))
    assert not RightsRequest.objects.exists()


# --- Identity and authority -------------------------------------------------------------------------

def test_a_parent_with_recorded_parental_responsibility_may_ask_for_a_childs_information(world, family, log):
    mother, father, child, _ = family["members"]
    request = log(subject=child, requester_relationship="parent_carer", requester_person=mother, requester_name="")
    assert request.parental_responsibility_checked
    assert request.requester_display == mother.full_name


def test_a_parent_without_recorded_parental_responsibility_needs_the_childs_authority(world, family, log):
    _, father, child, _ = family["members"]
    with pytest.raises(ValidationError) as caught:
        log(subject=child, requester_relationship="parent_carer", requester_person=father)
    assert "parental responsibility or the child's authority" in caught.value.message_dict["child_authority"][0]
    request = log(subject=child, requester_relationship="parent_carer", requester_person=father,
                  child_authority="Jamie told the lead practitioner on 3 November that Dad may ask")
    assert not request.parental_responsibility_checked and request.child_authority


def test_a_parent_not_on_our_records_needs_the_childs_authority_too(world, family, log):
    child = family["members"][2]
    with pytest.raises(ValidationError, match="child's authority"):
        log(subject=child, requester_relationship="parent_carer", requester_person=None, requester_name="A Parent")


def test_a_parent_acting_for_an_adult_needs_written_authority(world, family, log):
    mother, father, _, _ = family["members"]
    with pytest.raises(ValidationError) as caught:
        log(subject=father, requester_relationship="parent_carer", requester_name="Grandparent Testfamily")
    assert "authority_evidence" in caught.value.message_dict


def test_someone_asking_for_themselves_is_the_subject(world, family, log):
    mother, father, _, _ = family["members"]
    with pytest.raises(ValidationError) as caught:
        log(subject=mother, requester_person=father)
    assert "requester_person" in caught.value.message_dict


def test_when_id_is_asked_for_the_clock_starts_when_it_arrives(world, family, log):
    _, father, child, _ = family["members"]
    request = log(subject=child, requester_relationship="parent_carer", requester_person=father,
                  identity_check="requested", id_requested_on=days_ago(10), received_on=days_ago(12),
                  id_seen_on=None, id_evidence="")
    assert request.status == RequestStatus.AWAITING_ID
    assert request.clock_started_on is None and request.due_on is None
    with pytest.raises(ValidationError, match="Record the proof"):
        services.pause_clock(by=world.dpo, request=request, started_on=days_ago(1), reason="Which records?")
    # The child's authority must arrive with the proof: a father without recorded parental responsibility.
    with pytest.raises(ValidationError) as caught:
        services.record_identity(by=world.dpo, request=request, id_seen_on=days_ago(4), id_evidence="Passport")
    assert "child_authority" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.record_identity(by=world.dpo, request=request, id_seen_on=days_ago(20), id_evidence="Passport",
                                 child_authority="Signed note from Jamie")
    assert "id_seen_on" in caught.value.message_dict
    request = services.record_identity(by=world.dpo, request=request, id_seen_on=days_ago(4),
                                       id_evidence="Passport", child_authority="Signed note from Jamie")
    assert request.status == RequestStatus.RECEIVED
    assert request.clock_started_on == days_ago(4)
    assert request.due_on == deadlines.due_date(days_ago(4))


def test_awaiting_id_a_request_can_only_be_refused(world, family, log):
    request = log(identity_check="requested", id_requested_on=timezone.localdate(), id_evidence="", id_seen_on=None)
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED)
    assert "outcome" in caught.value.message_dict
    refused = services.decide(by=world.dpo, request=request, outcome=Outcome.REFUSED,
                              reason="No proof of identity was sent after two reminders")
    assert refused.status == RequestStatus.REFUSED


# --- The clock in the register ---------------------------------------------------------------------

def test_pausing_for_clarification_stops_the_clock_and_moves_the_due_date(world, family, log):
    request = log(received_on=days_ago(20), id_seen_on=days_ago(20))
    original = request.due_on
    pause = services.pause_clock(by=world.dpo, request=request, started_on=days_ago(10),
                                 reason="Which years of records do you mean?")
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_CLARIFICATION and request.due_on is None
    with pytest.raises(ValidationError, match="clock is paused"):
        services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED)
    with pytest.raises(ValidationError) as caught:
        services.resume_clock(by=world.dpo, request=request, ended_on=days_ago(11))
    assert "ended_on" in caught.value.message_dict
    services.resume_clock(by=world.dpo, request=request, ended_on=days_ago(4))
    request.refresh_from_db()
    pause.refresh_from_db()
    assert pause.days == 6 and request.status == RequestStatus.RECEIVED
    assert request.due_on == deadlines.next_working_day(
        deadlines.add_months(days_ago(20), 1) + datetime.timedelta(days=6))
    assert request.due_on >= original
    events = [e.event for e in _events(request)]
    assert "rights_request.pause" in events and "rights_request.resume" in events


def test_a_pause_needs_a_reason_and_cannot_start_before_the_clock(world, family, log):
    request = log(received_on=days_ago(5), id_seen_on=days_ago(5))
    with pytest.raises(ValidationError) as caught:
        services.pause_clock(by=world.dpo, request=request, started_on=days_ago(6), reason="")
    assert set(caught.value.message_dict) == {"started_on", "reason"}
    assert not ClockPause.objects.exists()


def test_an_extension_within_the_first_month_runs_to_three_months(world, family, log):
    request = log(received_on=days_ago(10), id_seen_on=days_ago(10))
    with pytest.raises(ValidationError) as caught:
        services.extend_deadline(by=world.dpo, request=request, reason="", notified_on=None)
    assert set(caught.value.message_dict) == {"reason", "notified_on"}
    request = services.extend_deadline(by=world.dpo, request=request, reason="Records across three families",
                                       notified_on=days_ago(1))
    assert request.due_on == deadlines.due_date(days_ago(10), extended=True)
    assert request.is_extended and request.extended_by == world.dpo
    with pytest.raises(ValidationError, match="already been extended"):
        services.extend_deadline(by=world.dpo, request=request, reason="More", notified_on=days_ago(1))


def test_an_extension_recorded_after_the_first_month_is_refused(world, family, log):
    start = days_ago(45)
    request = log(received_on=start, id_seen_on=start)
    first_month = deadlines.due_date(start)
    with pytest.raises(ValidationError) as caught:
        services.extend_deadline(by=world.dpo, request=request, reason="Complex", notified_on=days_ago(40))
    message = " ".join(caught.value.messages)
    assert "within the first month" in message and f"{first_month.day} " in message
    request.refresh_from_db()
    assert not request.is_extended and request.due_on == first_month


# --- Decisions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, outcome", [
    ("access", Outcome.REFUSED), ("erasure", Outcome.REFUSED_PUBLIC_TASK), ("erasure", Outcome.REFUSED),
    ("objection", Outcome.COMPELLING_GROUNDS), ("objection", Outcome.REFUSED_PUBLIC_TASK),
    ("restriction", Outcome.REFUSED),
])
def test_every_refusal_needs_a_recorded_reason(world, family, log, kind, outcome):
    request = log(kind=kind)
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=request, outcome=outcome, reason=" ")
    assert "reason" in caught.value.message_dict
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.outcome == ""
    decided = services.decide(by=world.dpo, request=request, outcome=outcome,
                              reason="Early help records are kept to carry out the council's public task")
    assert decided.status == RequestStatus.REFUSED and decided.decided_by == world.dpo
    assert decided.completed_on == timezone.localdate()


def test_erasure_refused_because_processing_is_a_public_task(world, family, log):
    request = log(kind="erasure")
    decided = services.decide(by=world.dpo, request=request, outcome=Outcome.REFUSED_PUBLIC_TASK,
                              reason="The family's case is open: Children Act 1989 s17")
    assert decided.get_outcome_display() == "Refused because processing is a public task"
    assert family["members"][0].__class__.objects.filter(pk=family["members"][0].pk).exists()


def test_an_objection_records_the_compelling_grounds_decision(world, family, log):
    upheld = services.decide(by=world.dpo, request=log(kind="objection"), outcome=Outcome.OBJECTION_UPHELD)
    assert upheld.status == RequestStatus.COMPLETED
    overridden = services.decide(by=world.dpo, request=log(kind="objection"), outcome=Outcome.COMPELLING_GROUNDS,
                                 reason="A child is at risk: the safeguarding need overrides the objection")
    assert overridden.status == RequestStatus.REFUSED
    assert "compelling" in overridden.get_outcome_display()
    [event] = _events(overridden, "rights_request.decide")
    assert event.metadata["outcome"] == "compelling_grounds"


def test_a_decision_must_be_one_the_kind_of_request_allows(world, family, log):
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=log(kind="access"), outcome=Outcome.REFUSED_PUBLIC_TASK, reason="x")
    assert "outcome" in caught.value.message_dict


def test_portability_is_answered_as_not_applicable_to_public_task_data_with_the_reason_given(world, family, log):
    request = log(kind="portability")
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=request, outcome=Outcome.NOT_APPLICABLE, response_text="")
    assert "response_text" in caught.value.message_dict
    decided = services.decide(by=world.dpo, request=request, outcome=Outcome.NOT_APPLICABLE,
                              response_text=services.standard_answer("portability"))
    assert decided.status == RequestStatus.COMPLETED
    assert "public tasks" in decided.response_text and "Article 20" in decided.response_text


def test_a_challenge_to_an_automated_decision_is_answered(world, family, log):
    decided = services.decide(by=world.dpo, request=log(kind="automated_decision"), outcome=Outcome.NOT_APPLICABLE,
                              response_text=services.standard_answer("automated_decision"))
    assert "a member of staff always decides" in decided.response_text


def test_a_decision_is_made_once(world, family, log):
    request = services.decide(by=world.dpo, request=log(), outcome=Outcome.COMPLIED)
    with pytest.raises(ValidationError, match="already been made"):
        services.decide(by=world.dpo, request=request, outcome=Outcome.REFUSED, reason="Changed my mind")


# --- Consent withdrawal (linked to the privacy core) ------------------------------------------------

@pytest.fixture
def consented(world):
    return make_family(world, lead=world.lead, taf=[world.partner], family_name="Consentfamily", seed=7)


@pytest.mark.promise("P9")
def test_a_consent_withdrawal_is_passed_to_the_privacy_core_at_once(world, consented):
    mother, consent = consented["members"][0], consented["consent"]
    request = services.log_request(**request_values(world, mother, kind="consent_withdrawal", consent=consent))
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWAL_REQUESTED and consent.withdrawal_channel == "dpo"
    assert consent.withdrawal_requested_on == request.received_on
    with pytest.raises(ValidationError, match="not been processed yet"):
        services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED)
    consents.complete_withdrawal(by=world.dpo, consent_id=consent.pk)
    assert services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED).status == RequestStatus.COMPLETED


def test_a_withdrawal_that_cannot_be_made_leaves_nothing_half_written(world, consented):
    mother, consent = consented["members"][0], consented["consent"]
    consents.request_withdrawal(by=world.dpo, consent_id=consent.pk, channel="writing")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.log_request(**request_values(world, mother, kind="consent_withdrawal", consent=consent))
    assert "already been withdrawn" in caught.value.message_dict["consent"][0]
    assert not RightsRequest.objects.exists() and AuditEvent.objects.count() == before


def test_a_consent_is_named_only_by_a_withdrawal_about_its_person(world, consented):
    mother, father, _, _ = consented["members"]
    consent = consented["consent"]
    with pytest.raises(ValidationError) as caught:
        services.log_request(**request_values(world, mother, kind="access", consent=consent))
    assert "consent" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.log_request(**request_values(world, father, kind="consent_withdrawal", consent=consent,
                                              requester_name="Sam Consentfamily"))
    assert "consent" in caught.value.message_dict
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.ACTIVE


# --- Erasure ---------------------------------------------------------------------------------------

@pytest.fixture
def erasure_module(monkeypatch):
    """Stands in for the erasure engine (earlyhelp.retention.services.erasure), recording how it was called."""
    module = types.SimpleNamespace()
    module.calls = []
    module.fail = False

    def erase_person(*, person, request, approved_by, documents=()):
        module.calls.append({"person": person, "request": request, "approved_by": approved_by})
        if module.fail:
            raise RuntimeError("erasure failed")

    monkeypatch.setattr("earlyhelp.retention.services.erasure.erase_person", erase_person)
    return module


def test_an_approved_erasure_calls_the_privacy_core_after_recording_the_decision(world, family, log, erasure_module):
    mother = family["members"][0]
    request = log(kind="erasure")
    decided = services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED,
                              reason="The episode closed and no law needs the records kept")
    [call] = erasure_module.calls
    assert call["person"] == mother and call["approved_by"] == world.dpo
    assert call["request"].pk == request.pk and call["request"].status == RequestStatus.COMPLETED
    assert decided.status == RequestStatus.COMPLETED and decided.outcome == Outcome.COMPLIED


def test_a_failed_erasure_undoes_the_decision(world, family, log, erasure_module):
    erasure_module.fail = True
    request = log(kind="erasure")
    with pytest.raises(RuntimeError):
        services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED)
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.outcome == "" and not request.notifications.exists()
    assert not _events(request, "rights_request.decide")


def test_erasure_and_restriction_need_a_person_on_our_records(world, family, log):
    for kind in ("erasure", "restriction"):
        request = log(kind=kind, subject=None, requester_person=None)
        with pytest.raises(ValidationError) as caught:
            services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="Asked")
        assert "no record of this person" in caught.value.message_dict["outcome"][0]
    assert not ProcessingRestriction.objects.exists()


def test_an_approved_erasure_removes_the_person_and_the_request_remains_scrubbed_as_the_record(world, family, log):
    """With the privacy core's real erasure: the request stays, with what was asked and decided, and no one's name."""
    mother = family["members"][0]
    earlier = log(kind="rectification", requester_email="alex@example.invalid")
    services.pause_clock(by=world.dpo, request=earlier, started_on=earlier.received_on, reason="Which note?")
    request = log(kind="erasure")
    decided = services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED,
                              reason="Support ended and no law needs the records kept")
    assert not mother.__class__.objects.filter(pk=mother.pk).exists()
    assert decided.subject_id is None and decided.reference == request.reference
    assert (decided.kind, decided.status, decided.outcome) == ("erasure", RequestStatus.COMPLETED, Outcome.COMPLIED)
    assert "Alex" not in decided.requester_name and "Passport" not in decided.id_evidence
    earlier.refresh_from_db()
    assert earlier.subject_id is None and "example.invalid" not in earlier.requester_email
    assert "Which note" not in earlier.pauses.get().reason
    assert request.tombstones.exists()
