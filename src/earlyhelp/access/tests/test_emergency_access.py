"""Break-glass access: stated reason, time-limited, every read audited, reviewed afterwards."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import policy, services
from earlyhelp.access.models import AccessExclusion, EmergencyAccess
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2", "P23")]


@pytest.fixture
def family(world):
    return make_family(world, family_name="Southfam", lead=world.other_lead, team=world.south)


def test_a_practitioner_opens_an_unrelated_family_in_an_emergency_through_search(client, world, family):
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    assert client.get(url).status_code == 404
    results = client.post(reverse("web:search"), {"family_name": "Southfam", "given_name": "Jamie"}).content.decode()
    person = family["members"][2]
    assert reverse("web:emergency-access", args=[person.pk]) in results
    page = client.post(reverse("web:emergency-access", args=[person.pk]), {"reason": ""}).content.decode()
    assert "Enter why you need to see this family" in page
    response = client.post(reverse("web:emergency-access", args=[person.pk]),
                           {"reason": "Police at the door asking about the child's safety"})
    assert response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and "You are using emergency access" in page.content.decode()
    view = AuditEvent.objects.filter(action=Action.VIEW, event="household.view", actor=world.lead).last()
    assert view.metadata["relationships"] == ["emergency"]
    # Read-only: no changes through emergency access.
    assert client.get(reverse("web:note-new", args=[family["household"].pk])).status_code == 404


def test_emergency_access_expires(world, family):
    grant = services.start_emergency_access(by=world.lead, household=family["household"], reason="Urgent")
    assert policy.family_access(world.lead, family["household"].pk) is not None
    EmergencyAccess.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=3), expires_at=timezone.now() - datetime.timedelta(hours=2))
    assert policy.family_access(world.lead, family["household"].pk) is None


def test_partners_and_excluded_people_cannot_break_the_glass(world, family):
    with pytest.raises(PermissionDenied):
        services.start_emergency_access(by=world.partner, household=family["household"], reason="Urgent")
    AccessExclusion.objects.create(household=family["household"], user=world.lead, reason="Relative",
                                   recorded_by=world.other_manager)
    with pytest.raises(PermissionDenied):
        services.start_emergency_access(by=world.lead, household=family["household"], reason="Urgent")
    with pytest.raises(ValidationError):
        services.start_emergency_access(by=world.teammate, household=family["household"], reason=" ")


def test_the_team_manager_and_the_dpo_review_every_grant(client, world, family):
    grant = services.start_emergency_access(by=world.lead, household=family["household"], reason="Urgent")
    assert list(services.emergency_reviews_for(world.manager)) == [grant]  # the user's own manager
    assert list(services.emergency_reviews_for(world.other_manager)) == [grant]  # the family's team's manager
    assert list(services.emergency_reviews_for(world.dpo)) == [grant]
    assert list(services.emergency_reviews_for(world.partner)) == []
    with pytest.raises(ValidationError, match="conclusion"):
        services.review_emergency_access(by=world.dpo, grant_id=grant.pk, note="")
    client.force_login(world.dpo)
    assert "Urgent" in client.get(reverse("web:emergency-reviews")).content.decode()
    client.post(reverse("web:emergency-reviews"), {"grant_id": grant.pk, "note": "Justified: police request"})
    grant.refresh_from_db()
    assert grant.reviewed_by == world.dpo and list(services.emergency_reviews_for(world.dpo)) == []


@pytest.mark.promise("P18")
def test_managers_periodically_confirm_or_remove_partner_access(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner, world.other_partner])
    due = list(services.partner_access_due_for_review(world.manager))
    assert {m.practitioner for m in due} == {world.partner, world.other_partner}
    assert list(services.partner_access_due_for_review(world.other_manager)) == []
    client.force_login(world.manager)
    page = client.get(reverse("web:partner-access-reviews")).content.decode()
    assert world.partner.get_full_name() in page
    keep = next(m for m in due if m.practitioner == world.partner)
    drop = next(m for m in due if m.practitioner == world.other_partner)
    client.post(reverse("web:partner-access-reviews"), {"taf_member_id": keep.pk, "decision": "confirm"})
    refused = client.post(reverse("web:partner-access-reviews"), {"taf_member_id": drop.pk, "decision": "remove",
                                                                  "note": ""}).content.decode()
    assert "Enter your conclusion" in refused or "Enter why" in refused
    client.post(reverse("web:partner-access-reviews"), {"taf_member_id": drop.pk, "decision": "remove",
                                                        "note": "No longer involved"})
    assert list(services.partner_access_due_for_review(world.manager)) == []
    assert policy.family_access(world.other_partner, family["household"].pk) is None
    assert policy.family_access(world.partner, family["household"].pk) is not None
    assert AuditEvent.objects.filter(event="partner_access.remove").exists()


def test_listing_what_is_waiting_for_review_is_audited(world, family):
    grant = services.start_emergency_access(by=world.lead, household=family["household"], reason="Urgent")
    assert services.list_emergency_access_to_review(world.dpo) == [grant]
    listed = AuditEvent.objects.filter(event="emergency_access.reviews", actor=world.dpo).get()
    assert listed.action == Action.VIEW and listed.metadata == {"listed": 1}
    make_family(world, family_name="Northfam", seed=2, lead=world.lead, taf=[world.partner])
    assert [m.practitioner for m in services.list_partner_access_to_review(world.manager)] == [world.partner]
    assert AuditEvent.objects.filter(event="partner_access.reviews", actor=world.manager).get().metadata == {
        "listed": 1}
