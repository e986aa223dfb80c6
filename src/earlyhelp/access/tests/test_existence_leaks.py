"""Existence leaks found by the black-box probes (issue 13): a record that exists but is not the caller's answers
exactly as one that does not exist, and the refusal is audited naming the record (P2, P23)."""

import re

import pytest
from django.urls import reverse

from earlyhelp.access.models import ApiToken
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.people import services as people
from earlyhelp.privacy.models import ConsentStatus
from earlyhelp.privacy.services import consent as consents
from earlyhelp.testing.world import give_consent, make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2", "P23")]

MISSING = 2**40


def _normalised(body: bytes) -> bytes:
    """The CSP nonce and the masked CSRF token differ on every response; nothing else may."""
    return re.sub(rb'(nonce|value)="[^"]*"', b"", body)


def _denied(actor, object_id):
    return [e for e in AuditEvent.objects.filter(action=Action.DENIED, actor=actor) if object_id in e.object_ids]


# --- A pending consent withdrawal of another team's family --------------------------------------------------

@pytest.fixture
def pending_withdrawal(world):
    family = make_family(world, lead=world.lead)  # held by the North team
    consent = give_consent(world.lead, family["household"], family["members"][0])
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing")
    return consent


def test_posting_another_teams_pending_withdrawal_answers_as_a_missing_one(client, world, pending_withdrawal):
    client.force_login(world.other_manager)  # manages the South team
    url = reverse("web:consent-withdrawals")
    theirs = client.post(url, {"consent_id": pending_withdrawal.pk})
    missing = client.post(url, {"consent_id": MISSING})
    assert theirs.status_code == missing.status_code == 404
    assert _normalised(theirs.content) == _normalised(missing.content)
    pending_withdrawal.refresh_from_db()
    assert pending_withdrawal.status == ConsentStatus.WITHDRAWAL_REQUESTED
    assert len(_denied(world.other_manager, pending_withdrawal.pk)) == 1
    assert len(_denied(world.other_manager, MISSING)) == 1


def test_the_holding_teams_manager_still_processes_the_withdrawal(client, world, pending_withdrawal):
    client.force_login(world.manager)
    response = client.post(reverse("web:consent-withdrawals"), {"consent_id": pending_withdrawal.pk})
    assert response.status_code == 302
    pending_withdrawal.refresh_from_db()
    assert pending_withdrawal.status == ConsentStatus.WITHDRAWN


# --- POST /api/referrals about someone the caller may not see ------------------------------------------------

def _referral(world, person_id, **extra):
    return {"person_id": person_id, "team_id": world.south.pk, "channel": "email", "source": "school",
            "reason": "Worried about attendance", "consent_at_referral": "given", **extra}


def _post(client, body, token):
    return client.post("/api/referrals", body, content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_a_referral_about_someone_in_no_family_answers_as_someone_who_does_not_exist(client, world):
    token = ApiToken.issue(user=world.front_door, name="test")[1]
    loner = people.create_person(by=world.front_door, given_name="Lee", family_name="Nofamily")
    exists = _post(client, _referral(world, loner.pk), token)
    missing = _post(client, _referral(world, MISSING), token)
    assert exists.status_code == missing.status_code == 422
    assert exists.json() == missing.json()


def test_a_referral_naming_a_family_the_person_is_not_in_answers_as_someone_who_does_not_exist(client, world):
    token = ApiToken.issue(user=world.front_door, name="test")[1]
    family = make_family(world, lead=world.lead)
    stranger = make_family(world, family_name="Elsewhere", seed=5, with_episode=False)["members"][0]
    hid = family["household"].pk
    exists = _post(client, _referral(world, stranger.pk, household_id=hid), token)
    missing = _post(client, _referral(world, MISSING, household_id=hid), token)
    assert exists.status_code == missing.status_code == 422
    assert exists.json() == missing.json()


# --- /contacts/new/<person>/ refusals name the person ---------------------------------------------------------

def test_a_refusal_on_the_contact_details_page_is_audited_with_the_persons_id(client, world):
    person = make_family(world, lead=world.lead)["members"][2]
    client.force_login(world.partner)  # cannot record contacts
    assert client.get(reverse("web:contact-details", args=[person.pk])).status_code == 404
    assert len(_denied(world.partner, person.pk)) == 1


def test_the_contact_details_page_for_someone_in_no_family_is_an_audited_refusal(client, world):
    from earlyhelp.access import search_first

    loner = people.create_person(by=world.front_door, given_name="Lee", family_name="Nofamily")
    client.force_login(world.front_door)
    session = client.session
    session[search_first.SEARCH_RESULTS_KEY] = [loner.pk]
    session.save()
    assert client.get(reverse("web:contact-details", args=[loner.pk])).status_code == 404
    assert len(_denied(world.front_door, loner.pk)) == 1
