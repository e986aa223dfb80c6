"""Consent to support as the council's rule (P6): the DPO chooses whether support needs the family's consent, and
whether witnessed verbal consent is enough. Where it does, an assessment and a family plan refuse to start
without it: a clear message, an audited refusal, nothing written. A withdrawal stops new support and leaves what
was recorded before it (P9)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import Assessment, Plan, PlanAction
from earlyhelp.privacy import messages
from earlyhelp.privacy.models import ConsentRules, EvidenceType
from earlyhelp.privacy.services import consent as consents
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P6")]


def _rule(world, *, on: bool, verbal: bool = False):
    return consents.change_consent_rules(by=world.dpo, support_needs_consent=on, verbal_consent_enough=verbal,
                                         reason="Following our privacy notice")


def _consent(world, family, evidence=EvidenceType.SIGNED_FORM, covers_support=True):
    mother = family["members"][0]
    return consents.record_consent(
        by=world.lead, household=family["household"], subject=mother, given_by=mother, covers_support=covers_support,
        evidence_type=evidence, evidence_reference="Form in the file" if evidence == EvidenceType.SIGNED_FORM else "",
        witness_name="A. Colleague" if evidence == EvidenceType.VERBAL_WITNESSED else "")


def _start(world, family):
    return services.start_assessment(by=world.lead, episode=family["episode"], reason="Attendance")


def _action(world, family):
    episode = family["episode"]
    return services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                                    action="Daily check-in", owner=world.lead, intended_outcome="95% attendance",
                                    due_date=episode.opened_on + datetime.timedelta(days=90))


def _refusals(family):
    return AuditEvent.objects.filter(action=Action.DENIED, event="consent.support_refused",
                                     household_id=family["household"].pk)


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead)


def test_the_default_is_the_public_task_so_support_starts_without_consent(world, family):
    """Cambridgeshire-style: no consent to support is asked for, and nothing is refused."""
    assert not ConsentRules.current().support_needs_consent
    assert consents.support_consent_gap(family["household"]) is None
    assert _start(world, family).pk and _action(world, family).pk


def test_rule_on_without_consent_refuses_assessment_and_plan_audited_with_nothing_written(world, family):
    _rule(world, on=True)
    for start, starting in [(_start, "assessment"), (_action, "plan")]:
        with pytest.raises(ValidationError) as refused:
            start(world, family)
        assert refused.value.messages == [messages.SUPPORT_NEEDS_CONSENT]
        assert _refusals(family).filter(metadata__starting=starting, actor=world.lead).count() == 1
    assert not Assessment.objects.filter(episode=family["episode"]).exists()
    assert not Plan.objects.filter(episode=family["episode"]).exists()


def test_consent_to_sharing_alone_is_not_consent_to_support(world, family):
    _rule(world, on=True)
    _consent(world, family, covers_support=False)
    with pytest.raises(ValidationError, match="not given consent to early help support"):
        _start(world, family)


def test_rule_on_with_signed_only_refuses_verbal_consent_and_accepts_a_signed_form(world, family):
    _rule(world, on=True, verbal=False)
    _consent(world, family, EvidenceType.VERBAL_WITNESSED)
    with pytest.raises(ValidationError) as refused:
        _start(world, family)
    assert refused.value.messages == [messages.SUPPORT_NEEDS_SIGNED_CONSENT]
    assert _refusals(family).count() == 1 and not Assessment.objects.exists()
    _consent(world, family, EvidenceType.SIGNED_FORM)
    assert _start(world, family).pk and _action(world, family).pk


def test_rule_on_with_verbal_allowed_accepts_witnessed_verbal_consent(world, family):
    _rule(world, on=True, verbal=True)
    _consent(world, family, EvidenceType.VERBAL_WITNESSED)
    assert _start(world, family).pk and _action(world, family).pk
    assert not _refusals(family).exists()


def test_withdrawn_consent_stops_new_support_and_leaves_what_was_recorded(world, family):
    _rule(world, on=True)
    consent = _consent(world, family)
    assessment, action = _start(world, family), _action(world, family)
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing")
    with pytest.raises(ValidationError) as refused:
        _action(world, family)
    assert refused.value.messages == [messages.SUPPORT_CONSENT_WITHDRAWN]
    # Earlier lawful processing stands (P9): the assessment and the agreed action are not undone.
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assert list(PlanAction.objects.filter(plan__episode=family["episode"])) == [action]
    assert _refusals(family).filter(metadata__starting="plan").count() == 1


def test_switching_the_rule_off_lets_support_start_again(world, family):
    _rule(world, on=True)
    with pytest.raises(ValidationError):
        _start(world, family)
    _rule(world, on=False)
    assert _start(world, family).pk


def test_the_dpo_changes_the_rule_with_a_reason_kept_in_its_history(world):
    with pytest.raises(ValidationError, match="Enter why the rule is changing"):
        consents.change_consent_rules(by=world.dpo, support_needs_consent=True, verbal_consent_enough=False,
                                      reason="  ")
    assert not ConsentRules.current().support_needs_consent
    with pytest.raises(PermissionDenied):
        consents.change_consent_rules(by=world.manager, support_needs_consent=True, verbal_consent_enough=False,
                                      reason="I think so")
    _rule(world, on=True)
    history = consents.consent_rules_history()
    assert history[0]["support_needs_consent"] and history[0]["reason"] == "Following our privacy notice"
    assert history[0]["who"] == str(world.dpo)
    assert AuditEvent.objects.filter(event="consent_rules.change", actor=world.dpo).count() == 1
    with pytest.raises(ValidationError, match="Nothing has changed"):
        _rule(world, on=True)


def test_the_rule_page_changes_the_rule_and_says_how_a_public_task_council_switches_it(client, world):
    client.force_login(world.dpo)
    url = reverse("web:register-consent-rules")
    page = client.get(url).content.decode()
    assert "Cambridgeshire" in page and "public task" in page
    page = client.post(url, {"support_needs_consent": "yes", "verbal_consent_enough": "no", "reason": ""})
    assert escape(messages.ENTER_CONSENT_RULES_REASON) in page.content.decode()
    assert not ConsentRules.current().support_needs_consent
    response = client.post(url, {"support_needs_consent": "yes", "verbal_consent_enough": "no",
                                 "reason": "Signed consent is one of our four principles"})
    assert response.status_code == 302
    assert ConsentRules.current().support_needs_consent
    assert "Signed consent is one of our four principles" in client.get(url).content.decode()


def test_the_family_page_says_what_is_missing_and_the_start_page_shows_the_services_message(client, world, family):
    _rule(world, on=True)
    hid = family["household"].pk
    client.force_login(world.lead)
    page = client.get(reverse("web:family", args=[hid])).content.decode()
    assert 'id="support-consent-missing"' in page
    assert escape(messages.SUPPORT_NEEDS_CONSENT) in page and reverse("web:consent-new", args=[hid]) in page
    page = client.post(reverse("web:assessment-start", args=[hid]), {"reason": "Attendance"}).content.decode()
    assert escape(messages.SUPPORT_NEEDS_CONSENT) in page
    assert not Assessment.objects.exists()
    _consent(world, family)
    assert 'id="support-consent-missing"' not in client.get(reverse("web:family", args=[hid])).content.decode()
