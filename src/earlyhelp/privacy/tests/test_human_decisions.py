"""Nothing the system suggests takes effect until a named person decides, with a reason (P13)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.privacy.models import Suggestion, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.programme.models import Need
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P13")]


@pytest.fixture
def approved(world):
    family = make_family(world, lead=world.lead)
    assessment = casework.start_assessment(by=world.lead, episode=family["episode"], reason="Attendance")
    casework.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="Attendance is the main need",
                               findings={"EDUCATION": {"needs": "Attendance 71%", "score": 2},
                                         "HEALTH": {"needs": "Asthma, well managed", "score": 4}})
    casework.submit_assessment(by=world.lead, assessment=assessment)
    casework.decide_assessment(by=world.manager, assessment=assessment, approve=True)
    return family


def test_an_approved_assessment_only_suggests_needs_nothing_is_confirmed(approved):
    suggestion = Suggestion.objects.get()
    assert suggestion.status == SuggestionStatus.PENDING and "education" in suggestion.rule
    assert not Need.objects.exists()  # suggested, not decided


def test_a_named_person_confirms_with_a_reason_and_only_then_it_counts(world, approved):
    suggestion = Suggestion.objects.get()
    with pytest.raises(ValidationError, match="reason"):
        decisions.decide(by=world.lead, suggestion_id=suggestion.pk, accept=True, reason=" ")
    with pytest.raises(PermissionDenied):
        decisions.decide(by=world.other_lead, suggestion_id=suggestion.pk, accept=True, reason="Meets criteria")
    assert not Need.objects.exists()
    decisions.decide(by=world.lead, suggestion_id=suggestion.pk, accept=True, reason="School data: 71% attendance")
    need = Need.objects.get()
    assert (need.area.code, need.identified_by, need.suggestion.reason) == (
        "EDUCATION", world.lead, "School data: 71% attendance")
    assert AuditEvent.objects.filter(event="suggestion.accepted", actor=world.lead).exists()


def test_a_rejected_suggestion_is_kept_and_never_proposed_again(world, approved):
    suggestion = Suggestion.objects.get()
    decisions.decide(by=world.lead, suggestion_id=suggestion.pk, accept=False, reason="Attendance has recovered")
    assert programme_needs.suggest_from_assessment(approved["episode"].assessments.get()) == []
    assert Suggestion.objects.get().status == SuggestionStatus.REJECTED and not Need.objects.exists()
    with pytest.raises(ValidationError, match="already been decided"):
        decisions.decide(by=world.lead, suggestion_id=suggestion.pk, accept=True, reason="Changed my mind")


def test_the_database_refuses_a_decision_without_a_person_or_a_reason(approved):
    suggestion = Suggestion.objects.get()
    suggestion.status = SuggestionStatus.ACCEPTED
    with pytest.raises(IntegrityError), transaction.atomic():
        suggestion.save()


def test_deciding_in_the_browser_form_needs_a_decision_and_a_reason(client, world, approved):
    household = approved["household"]
    suggestion = Suggestion.objects.get()
    client.force_login(world.lead)
    page = client.get(f"/families/{household.pk}/").content.decode()
    assert "Suggested: " in page and "counts only if you confirm it" in page
    url = f"/families/{household.pk}/suggestions/{suggestion.pk}/decide/"
    refused = client.post(url, {"decision": "accept"})
    assert b"Enter the reason for your decision" in refused.content and not Need.objects.exists()
    done = client.post(url, {"decision": "accept", "reason": "Meets the attendance criterion"})
    assert done.status_code == 302 and Need.objects.count() == 1
    assert client.post(url, {"decision": "accept", "reason": "again"}).status_code == 404


@pytest.mark.promise("P16")
def test_partners_see_a_confirmed_sensitive_area_only_as_a_marker(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["assessment"])
    assessment = casework.start_assessment(by=world.lead, episode=family["episode"], reason="Health")
    casework.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="Mum unwell",
                               findings={"HEALTH": {"needs": "Depression", "score": 1}})
    casework.submit_assessment(by=world.lead, assessment=assessment)
    casework.decide_assessment(by=world.manager, assessment=assessment, approve=True)
    decisions.decide(by=world.lead, suggestion_id=Suggestion.objects.get().pk, accept=True, reason="GP letter")
    url = f"/families/{family['household'].pk}/"
    client.force_login(world.lead)
    assert "Improved mental and physical health: A family member has a mental health need" in client.get(url).content.decode()
    client.force_login(world.partner)
    page = client.get(url).content.decode()
    assert "Improved mental and physical health: A family member" not in page and "Recorded – restricted" in page


def test_every_kind_of_suggestion_is_declared_once_with_who_decides_it():
    from earlyhelp.access.policy import Permission
    from earlyhelp.privacy.models import SuggestionKind

    declared = decisions.kinds()
    assert set(declared) == set(SuggestionKind)
    assert {kind: d.permission for kind, d in declared.items()} == {
        SuggestionKind.NEED: Permission.CASEWORK, SuggestionKind.RETENTION: Permission.DECIDE_DISPOSAL,
        SuggestionKind.ELIGIBILITY: Permission.RUN_PROGRAMME, SuggestionKind.MATCHED_NEED: Permission.DECIDE_MATCHES,
        SuggestionKind.MATCH: Permission.DECIDE_MATCHES, SuggestionKind.NEW_PERSON: Permission.DECIDE_MATCHES}


def test_eligibility_is_decided_only_by_the_familys_own_practitioners(world, approved):
    suggestion = Suggestion.objects.filter(status=SuggestionStatus.PENDING).first()
    # The other team's lead has the casework permission but no relationship with the family; the DPO has neither.
    for outsider in (world.other_lead, world.dpo, world.data_team):
        assert not decisions.may_decide(outsider, suggestion)
        with pytest.raises(PermissionDenied):
            decisions.decide(by=outsider, suggestion_id=suggestion.pk, accept=True, reason="Looks right")
    assert decisions.may_decide(world.lead, suggestion)
