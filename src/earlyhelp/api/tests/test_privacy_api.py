"""Consent, withdrawal and sharing through the API (the same services and policy as the pages)."""

import pytest

from earlyhelp.access.models import ApiToken
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import Consent, Disclosure, Suggestion, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.testing.world import give_consent, make_family, make_panel

pytestmark = pytest.mark.django_db


def _headers(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='test')[1]}"}


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead)


@pytest.mark.promise("P9")
def test_consent_recorded_and_withdrawn_through_the_api_blocks_sharing(client, world, family):
    lead = _headers(world.lead)
    hid, mother = family["household"].pk, family["members"][0]
    bad = client.post(f"/api/families/{hid}/consents", {
        "subject_id": mother.pk, "given_by_id": mother.pk, "covers_support": True, "evidence_type": "verbal_witnessed",
        "sharing_partner_types": ["school"]}, content_type="application/json", headers=lead)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "witness_name"
    made = client.post(f"/api/families/{hid}/consents", {
        "subject_id": mother.pk, "given_by_id": mother.pk, "covers_support": True, "evidence_type": "signed_form",
        "evidence_reference": "Form 7", "sharing_partner_types": ["school"]},
        content_type="application/json", headers=lead)
    assert made.status_code == 201 and made.json()["notice_version"] == 1
    share = {"recipient_organisation_id": world.school.pk, "purpose": "multi_agency_sharing", "basis": "consent",
             "sections": ["plan"], "reason": "Attendance action"}
    assert client.post(f"/api/families/{hid}/disclosures", share, content_type="application/json",
                       headers=lead).status_code == 201
    withdrawn = client.post(f"/api/consents/{made.json()['id']}/withdrawal", {"channel": "writing"},
                            content_type="application/json", headers=lead)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawal_due_on"]
    refused = client.post(f"/api/families/{hid}/disclosures", share, content_type="application/json", headers=lead)
    assert refused.status_code == 422 and "consent does not cover" in refused.json()["detail"]
    assert Disclosure.objects.count() == 1
    listed = client.get(f"/api/families/{hid}/disclosures", headers=lead).json()
    assert [d["basis"] for d in listed] == ["consent"]


def test_sharing_with_an_unlisted_organisation_type_is_refused_without_a_managers_legal_reason(client, world, family):
    police = Organisation.objects.create(name="Test Police", type=OrganisationType.POLICE)
    body = {"recipient_organisation_id": police.pk, "purpose": "multi_agency_sharing", "basis": "safeguarding",
            "sections": ["assessment"], "reason": "Risk of harm"}
    hid = family["household"].pk
    response = client.post(f"/api/families/{hid}/disclosures", body, content_type="application/json",
                           headers=_headers(world.lead))
    assert response.status_code == 422 and "approval of a manager" in response.json()["detail"]
    approved = client.post(f"/api/families/{hid}/disclosures", body, content_type="application/json",
                           headers=_headers(world.manager))
    assert approved.status_code == 201 and approved.json()["approved_by_id"] == world.manager.pk


def test_consent_endpoints_give_an_audited_404_without_access(client, world, family):
    hid = family["household"].pk
    assert client.get(f"/api/families/{hid}/consents", headers=_headers(world.other_lead)).status_code == 404
    consent_id = 10**9
    response = client.post(f"/api/consents/{consent_id}/withdrawal", {"channel": "writing"},
                           content_type="application/json", headers=_headers(world.lead))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, object_ids=[consent_id]).exists()
    assert not Consent.objects.exists()


@pytest.mark.promise("P7")
def test_a_referral_out_through_the_api_is_logged_and_refused_beyond_consent(client, world, family):
    lead, hid = _headers(world.lead), family["household"].pk
    referral = {"organisation_id": world.school.pk, "service": "Nurture group", "sections": ["household"],
                "reason": "A calm start to the day"}
    refused = client.post(f"/api/families/{hid}/referrals-out", referral, content_type="application/json",
                          headers=lead)
    assert refused.status_code == 422 and "consent does not cover" in refused.json()["errors"][0]["message"]
    give_consent(world.lead, family["household"], family["members"][0], ["school"])
    made = client.post(f"/api/families/{hid}/referrals-out", referral, content_type="application/json",
                       headers=lead)
    assert made.status_code == 201
    listed = client.get(f"/api/families/{hid}/disclosures", headers=lead).json()
    assert [(d["kind"], d["id"]) for d in listed] == [("referral", made.json()["disclosure_id"])]


@pytest.mark.promise("P13")
def test_suggestions_are_decided_through_the_api_only_with_a_reason(client, world, family):
    episode = family["episode"]
    suggestion = decisions.suggest(kind="need", key=f"episode:{episode.pk}:area:EDUCATION",
                                   household=family["household"], rule="The approved assessment scores education 2")
    lead = _headers(world.lead)
    assert [s["id"] for s in client.get(f"/api/families/{family['household'].pk}/suggestions",
                                        headers=lead).json()] == [suggestion.pk]
    url = f"/api/suggestions/{suggestion.pk}/decision"
    assert client.post(url, {"accept": True, "reason": ""}, content_type="application/json",
                       headers=lead).status_code == 422
    stranger = client.post(url, {"accept": True, "reason": "x"}, content_type="application/json",
                           headers=_headers(world.other_lead))
    assert stranger.status_code == 404
    done = client.post(url, {"accept": False, "reason": "Attendance recovered"}, content_type="application/json",
                       headers=lead)
    assert done.status_code == 200 and Suggestion.objects.get().status == SuggestionStatus.REJECTED


@pytest.mark.promise("P26", "P17")
def test_panel_packs_and_the_information_report_through_the_api(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    give_consent(world.lead, family["household"], family["members"][1], ["health", "school"])
    panel = make_panel(world, [world.school, world.health])
    lead, hid = _headers(world.lead), family["household"].pk
    pack = {"panel_id": panel.pk, "sections": ["household"], "reason": "Panel discussion"}
    made = client.post(f"/api/families/{hid}/panel-packs", pack, content_type="application/json", headers=lead)
    assert made.status_code == 201 and made["Content-Type"] == "application/pdf" and made.content[:5] == b"%PDF-"
    empty = client.post(f"/api/families/{hid}/panel-packs", {**pack, "sections": []},
                        content_type="application/json", headers=lead)
    assert empty.status_code == 422
    report = client.get(f"/api/families/{hid}/information-report", headers=lead).json()
    assert {d["kind"] for d in report["disclosures"]} == {"taf_invitation", "panel_pack"}
    assert "multi_agency_sharing" in report["purposes"]
    assert client.get(f"/api/families/{hid}/information-report",
                      headers=_headers(world.partner)).status_code == 404
