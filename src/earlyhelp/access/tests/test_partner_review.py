"""Reviewing partners' access (P18) as a paged table: filters, names as the policy allows, confirm or remove many at
once (one audit event each), a reason only where access is removed."""

import pytest
from django.urls import reverse

from earlyhelp.access import policy, services
from earlyhelp.access.models import AccessReview
from earlyhelp.audit.models import AuditEvent
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db
URL = reverse("web:partner-access-reviews")


@pytest.fixture
def families(world):
    return [make_family(world, lead=world.lead, taf=[world.partner, world.other_partner], family_name=name, seed=n)
            for n, name in enumerate(["Ashdown", "Birchall"], start=1)]


def _memberships(world, partner):
    return [m.pk for m in services.partner_access_due_for_review(world.manager) if m.practitioner == partner]


@pytest.mark.promise("P18")
def test_many_partners_confirmed_at_once_each_audited_and_no_reason_needed(client, world, families):
    client.force_login(world.manager)
    page = client.get(URL).content.decode()
    assert "Ashdown family" in page and "Birchall family" in page and "Showing 1 to 4 of 4 partners" in page
    chosen = _memberships(world, world.partner)
    response = client.post(URL, {"taf_member_id": chosen, "decision": "confirm", "note": ""})
    assert response.status_code == 302
    assert set(AccessReview.objects.filter(confirmed=True).values_list("taf_member_id", flat=True)) == set(chosen)
    events = AuditEvent.objects.filter(event="partner_access.confirm")
    assert sorted(int(e.object_ids[0]) for e in events) == sorted(chosen)
    assert {m.practitioner for m in services.partner_access_due_for_review(world.manager)} == {world.other_partner}


@pytest.mark.promise("P18")
def test_removing_access_needs_a_reason_and_removes_it_from_every_family_chosen(client, world, families):
    client.force_login(world.manager)
    chosen = _memberships(world, world.other_partner)
    refused = client.post(URL, {"taf_member_id": chosen, "decision": "remove", "note": " "})
    assert "Enter why the access is being removed" in refused.content.decode()
    assert not AccessReview.objects.exists() and not AuditEvent.objects.filter(event="partner_access.remove").exists()
    client.post(URL, {"taf_member_id": chosen, "decision": "remove", "note": "Case closed at the clinic"})
    assert AuditEvent.objects.filter(event="partner_access.remove").count() == 2
    for family in families:
        assert policy.family_access(world.other_partner, family["household"].pk) is None
        assert policy.family_access(world.partner, family["household"].pk) is not None


def test_nothing_selected_or_a_membership_not_waiting_changes_nothing(client, world, families):
    client.force_login(world.manager)
    page = client.post(URL, {"decision": "confirm"}).content.decode()
    assert "Select the partners" in page
    other = make_family(world, team=world.south, lead=world.other_lead, taf=[world.partner], family_name="Southern",
                        seed=9)
    foreign = other["episode"].taf_members.get().pk
    page = client.post(URL, {"taf_member_id": _memberships(world, world.partner) + [foreign],
                             "decision": "confirm"}).content.decode()
    assert "no such partner access" in page and not AccessReview.objects.exists()
    assert "Southern" not in client.get(URL).content.decode()  # another team's family is never named here


def test_filter_by_organisation_and_by_last_review(client, world, families):
    client.force_login(world.manager)
    page = client.get(URL, {"organisation": world.school.pk}).content.decode()
    assert "of 2 partners" in page and world.health.name not in page.split("<tbody", 1)[1]
    assert "of 4 partners" in client.get(URL, {"reviewed": "never"}).content.decode()
    assert "No partner" in client.get(URL, {"reviewed": "before"}).content.decode()
