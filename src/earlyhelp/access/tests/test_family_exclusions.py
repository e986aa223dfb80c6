"""The family's "who should not see this" (B3), as structured exclusions recorded with their consent: named
practitioners and organisation types. The access policy enforces them on every family page and endpoint, whatever
the relationship (P2); sharing refuses them whatever the basis, audited, with nothing written (P7)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from earlyhelp.access import policy
from earlyhelp.access import services as access_services
from earlyhelp.access.models import AccessExclusion
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import ReferralOut, TafMember
from earlyhelp.casework.services import panel_packs as packs
from earlyhelp.organisations.models import Organisation, OrganisationType, Role
from earlyhelp.privacy import messages
from earlyhelp.privacy.models import Disclosure, EvidenceType
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures
from earlyhelp.testing.world import make_family, make_panel, make_user

pytestmark = pytest.mark.django_db


def _consent(world, family, *, by=None, sharing=("school", "health"), types=(), people=(), words="", **more):
    mother = family["members"][0]
    return consents.record_consent(
        by=by or world.lead, household=family["household"], subject=mother, given_by=mother, covers_support=True,
        sharing_partner_types=list(sharing), evidence_type=EvidenceType.SIGNED_FORM,
        evidence_reference="Form in the file", excluded_organisation_types=list(types),
        excluded_practitioners=list(people), must_not_see=words, **more)


def _denied(family, event):
    return AuditEvent.objects.filter(action=Action.DENIED, event=event, household_id=family["household"].pk)


@pytest.fixture
def police(world):
    force = Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)
    world.users["officer"] = make_user("officer_police", Role.PARTNER_PROFESSIONAL, force)
    return force


@pytest.mark.promise("P2")
def test_an_organisation_type_named_with_consent_loses_the_family_on_every_page_whatever_the_relationship(
        client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])  # a school partner on the TAF
    hid = family["household"].pk
    client.force_login(world.partner)
    assert client.get(reverse("web:family", args=[hid])).status_code == 200
    consent = _consent(world, family, sharing=["health"], types=["school"], words="Not the school: mum works there")
    exclusion = AccessExclusion.objects.get(household=family["household"], organisation_type="school")
    assert exclusion.consent == consent and exclusion.user is None
    assert exclusion.reason == "Not the school: mum works there"
    assert policy.excluded_organisation_types(family["household"]) == {"school"}
    # The partner leaves the Team Around the Family, and every page and endpoint is the audited 404.
    assert not TafMember.objects.filter(practitioner=world.partner, end_date__isnull=True).exists()
    for url in [reverse("web:family", args=[hid]), reverse("web:person", args=[family["members"][2].pk]),
                f"/api/families/{hid}", f"/api/people/{family['members'][2].pk}"]:
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action=Action.DENIED, household_id=hid, actor=world.partner).exists()
    assert hid not in {h.pk for h in policy.households_visible_to(world.partner)}


@pytest.mark.promise("P2")
def test_a_type_exclusion_beats_a_live_taf_membership_in_the_policy_itself(world):
    """Even if a membership were still live (say, recorded before), the policy refuses: no relationship wins."""
    family = make_family(world, lead=world.lead, taf=[world.partner])
    AccessExclusion.objects.create(household=family["household"], organisation_type="school", reason="Family's wish",
                                   recorded_by=world.lead)
    assert TafMember.objects.filter(practitioner=world.partner, end_date__isnull=True).exists()
    assert policy.family_access(world.partner, family["household"].pk) is None
    assert policy.hidden_among(world.partner, {family["household"].pk}) == {family["household"].pk}
    assert policy.is_excluded(family["household"], organisation=world.school)
    assert not policy.is_excluded(family["household"], organisation=world.health)


@pytest.mark.promise("P2")
def test_a_practitioner_named_with_consent_loses_the_family_and_lifting_it_keeps_the_record(client, world):
    family = make_family(world, lead=world.lead)
    hid = family["household"].pk
    _consent(world, family, people=[world.teammate])
    client.force_login(world.teammate)
    assert client.get(reverse("web:family", args=[hid])).status_code == 404
    exclusion = AccessExclusion.objects.get(household_id=hid, user=world.teammate)
    access_services.end_exclusion(by=world.manager, exclusion=exclusion)
    assert client.get(reverse("web:family", args=[hid])).status_code == 200
    exclusion.refresh_from_db()
    assert exclusion.ended_by == world.manager  # ended, not deleted


def test_the_family_cannot_exclude_the_council_itself_nor_the_lead_practitioners_own_organisation(world):
    family = make_family(world, lead=world.lead)
    for kwargs, field in [({"types": ["local_authority"]}, "excluded_organisation_types"),
                          ({"people": [world.lead]}, "excluded_practitioners"),
                          ({"people": [world.manager]}, "excluded_practitioners"),
                          ({"types": ["school"], "sharing": ["school"]}, "sharing_partner_types")]:
        with pytest.raises(ValidationError) as refused:
            _consent(world, family, by=world.teammate, **kwargs)
        assert field in refused.value.error_dict
    school_lead = make_user("lead_school", Role.LEAD_PRACTITIONER, world.school, world.north)
    other = make_family(world, family_name="Schoolled", seed=4, lead=school_lead)
    with pytest.raises(ValidationError, match="lead practitioner works for school"):
        _consent(world, other, types=["school"])
    assert not AccessExclusion.objects.exists()  # nothing half-written: no consent either
    assert not family["household"].consents.exists()


def test_a_corrected_consent_replaces_the_familys_earlier_exclusions(world):
    family = make_family(world, lead=world.lead)
    old = _consent(world, family, sharing=["health"], types=["school"])
    mother = family["members"][0]
    consents.correct_consent(by=world.lead, consent_id=old.pk, subject=mother, given_by=mother, covers_support=True,
                             sharing_partner_types=["school"], evidence_type=EvidenceType.SIGNED_FORM,
                             evidence_reference="Corrected form", excluded_organisation_types=["police"])
    assert policy.excluded_organisation_types(family["household"]) == {"police"}
    assert AccessExclusion.objects.get(organisation_type="school").ended_at is not None


@pytest.mark.promise("P2", "P7")
def test_a_disclosure_to_an_excluded_organisation_type_is_refused_whatever_the_basis(world, police):
    family = make_family(world, lead=world.lead)
    _consent(world, family, sharing=["health"], types=["police"])
    for basis, approver in [("consent", None), ("public_task", None), ("safeguarding", world.manager)]:
        with pytest.raises(ValidationError) as refused:
            disclosures.record_disclosure(by=world.lead, household=family["household"], recipient_organisation=police,
                                          purpose_code="multi_agency_sharing", basis=basis, sections=["plan"],
                                          reason="Asked for the plan", approved_by=approver)
        assert "must not see their information: nothing has been shared" in str(refused.value)
    assert not Disclosure.objects.filter(recipient_organisation=police).exists()
    assert _denied(family, "disclosure.refused").count() == 3
    # Recording a decision *not* to share with them is still possible.
    assert not disclosures.record_disclosure(
        by=world.lead, household=family["household"], recipient_organisation=police, purpose_code="multi_agency_sharing",
        basis="consent", sections=[], reason="The family asked us not to", shared=False).shared


@pytest.mark.promise("P2", "P7")
def test_referrals_and_panel_packs_to_an_excluded_type_are_refused_audited_and_nothing_written(world, police):
    family = make_family(world, lead=world.lead)
    _consent(world, family, sharing=["health"], types=["police"])
    with pytest.raises(ValidationError, match="must not see their information"):
        casework.refer_out(by=world.lead, episode=family["episode"], organisation=police, service="Youth diversion",
                           sections=["plan"], reason="Referral", basis="safeguarding", approved_by=world.manager)
    with pytest.raises(ValidationError, match="must not see their information"):
        packs.prepare_panel_pack(by=world.lead, household=family["household"],
                                 panel=make_panel(world, [police, world.school]), sections=["plan"],
                                 basis="safeguarding", reason="Panel", approved_by=world.manager)
    assert not ReferralOut.objects.exists() and not Disclosure.objects.filter(recipient_organisation=police).exists()
    assert [e.metadata["kind"] for e in _denied(family, "disclosure.refused")] == ["referral"]
    assert [e.metadata["organisation_ids"] for e in _denied(family, "panel_pack.refuse")] == [[police.pk]]


@pytest.mark.promise("P2", "P7")
def test_inviting_an_excluded_person_or_type_to_the_taf_is_refused_and_audited(world, police):
    family = make_family(world, lead=world.lead)
    _consent(world, family, sharing=["health"], types=["police"], people=[world.teammate])
    for practitioner in (world.officer, world.teammate):  # by type (a partner), by name (a colleague in the team)
        with pytest.raises(ValidationError) as refused:
            casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=practitioner)
        assert "must not see their information" in refused.value.message_dict["practitioner"][0]
    assert not TafMember.objects.filter(practitioner__in=[world.officer, world.teammate]).exists()
    assert not Disclosure.objects.exists()
    assert _denied(family, "disclosure.refused").filter(metadata__kind="taf_invitation").count() == 2


def test_the_consent_form_offers_organisation_types_and_a_practitioner(client, world):
    family = make_family(world, lead=world.lead)
    hid = family["household"].pk
    mother = family["members"][0]
    client.force_login(world.lead)
    page = client.get(reverse("web:consent-new", args=[hid])).content.decode()
    assert 'name="excluded_organisation_types"' in page and 'type="checkbox"' in page
    assert 'name="excluded_practitioners"' in page and escape(str(world.teammate)) in page
    assert 'value="local_authority"' not in page.split('name="excluded_organisation_types"', 1)[1].split("</fieldset>")[0]
    response = client.post(reverse("web:consent-new", args=[hid]), {
        "subject": mother.pk, "given_by": mother.pk, "covers_support": "on", "sharing_partner_types": ["health"],
        "excluded_organisation_types": ["police", "housing"], "excluded_practitioners": world.teammate.pk,
        "must_not_see": "Not the police, not housing, not Taylor", "evidence_type": "signed_form",
        "evidence_reference": "Form 3", "given_on_day": "1", "given_on_month": "1", "given_on_year": "2024"})
    assert response.status_code == 302
    assert policy.excluded_organisation_types(family["household"]) == {"police", "housing"}
    assert policy.is_excluded(family["household"], user=world.teammate)
    page = client.get(reverse("web:family", args=[hid])).content.decode()
    assert 'id="must-not-see"' in page and "anyone working for: police" in page.lower()
    assert escape(messages.excluded_recipient(AccessExclusion.objects.filter(user=world.teammate).get())) \
        not in page  # the page lists who, not the sharing refusal


@pytest.mark.promise("P2", "P7")
def test_the_api_records_excluded_types_with_consent_and_refuses_sharing_with_them(client, world):
    from earlyhelp.access.models import ApiToken

    family = make_family(world, lead=world.lead)
    hid, mother = family["household"].pk, family["members"][0]
    lead = {"Authorization": f"Bearer {ApiToken.issue(user=world.lead, name='test')[1]}"}
    made = client.post(f"/api/families/{hid}/consents", {
        "subject_id": mother.pk, "given_by_id": mother.pk, "covers_support": True, "evidence_type": "signed_form",
        "evidence_reference": "Form 8", "sharing_partner_types": ["health"], "excluded_organisation_types": ["school"],
        "must_not_see": "Not the school"}, content_type="application/json", headers=lead)
    assert made.status_code == 201
    assert policy.excluded_organisation_types(family["household"]) == {"school"}
    share = {"recipient_organisation_id": world.school.pk, "purpose": "multi_agency_sharing", "basis": "public_task",
             "sections": ["plan"], "reason": "Attendance action"}
    refused = client.post(f"/api/families/{hid}/disclosures", share, content_type="application/json", headers=lead)
    assert refused.status_code == 422 and "must not see their information" in str(refused.json())
    assert not Disclosure.objects.exists() and _denied(family, "disclosure.refused").count() == 1
    partner = {"Authorization": f"Bearer {ApiToken.issue(user=world.partner, name='test')[1]}"}
    assert client.get(f"/api/families/{hid}", headers=partner).status_code == 404


@pytest.mark.promise("P2")
def test_a_manager_sees_and_lifts_a_type_exclusion_on_the_access_page_and_the_record_is_kept(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    hid = family["household"].pk
    AccessExclusion.objects.create(household=family["household"], organisation_type="school", reason="Family's wish",
                                   recorded_by=world.lead)
    client.force_login(world.partner)
    assert client.get(reverse("web:family", args=[hid])).status_code == 404
    client.force_login(world.manager)
    url = reverse("web:family-access", args=[hid])
    assert "Anyone working for: school or college" in client.get(url).content.decode()
    exclusion = AccessExclusion.objects.get(household_id=hid)
    client.post(url, {"form": "remove", "exclusion_id": exclusion.pk})
    exclusion.refresh_from_db()
    assert exclusion.ended_by == world.manager
    assert AuditEvent.objects.filter(event="household.unexclude", household_id=hid,
                                     metadata__organisation_type="school").exists()
    client.force_login(world.partner)  # still on the TAF: access comes back with the lifted exclusion
    assert client.get(reverse("web:family", args=[hid])).status_code == 200
