"""The API at /api/: authentication, each endpoint's answer, access refused as an audited 404,
partners seeing markers not detail, and referrals that are refused leaving nothing behind."""

import datetime

import pytest
from django.utils import timezone

from earlyhelp.access.models import ApiToken
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import Contact
from earlyhelp.people.models import Marker, MarkerKind
from earlyhelp.testing.world import make_family


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def family(world):
    family = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["assessment"])
    Marker.objects.create(person=family["members"][2], kind=MarkerKind.YOUNG_CARER,
                          start_date=datetime.date(2024, 1, 1), recorded_by=world.lead)
    episode = family["episode"]
    assessment = casework.start_assessment(by=world.lead, episode=episode, reason="Whole-family assessment")
    casework.record_assessment(
        by=world.lead, assessment=assessment, voice_of_child="I like school", analysis="Improving",
        findings={"EDUCATION": {"strengths": "Loves reading", "needs": "Attendance", "score": 3},
                  "HEALTH": {"strengths": "Registered with GP", "needs": "Anxiety support", "score": 2}},
    )
    return family


@pytest.fixture
def tokens(world):
    return {name: ApiToken.issue(user=getattr(world, name), name="test")[1]
            for name in ["lead", "partner", "other_lead", "front_door", "data_team"]}


def denied_events(household_id=None):
    events = AuditEvent.objects.filter(action=Action.DENIED)
    return events.filter(household_id=household_id) if household_id else events


# --- Authentication ----------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer eh_not-a-real-token"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
])
def test_missing_or_invalid_token_is_401_json(client, family, headers):
    response = client.get(f"/api/families/{family['household'].pk}", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Authentication required")


def test_revoked_token_is_401(client, world, family):
    token, raw = ApiToken.issue(user=world.lead, name="laptop")
    url = f"/api/families/{family['household'].pk}"
    assert client.get(url, headers=bearer(raw)).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get(url, headers=bearer(raw)).status_code == 401


def test_token_of_inactive_user_is_401(client, world, family, tokens):
    world.lead.is_active = False
    world.lead.save()
    assert client.get(f"/api/families/{family['household'].pk}", headers=bearer(tokens["lead"])).status_code == 401


def test_only_the_hash_is_stored(world):
    token, raw = ApiToken.issue(user=world.lead, name="x")
    assert raw.startswith("eh_") and raw not in token.token_hash
    assert token.token_hash == ApiToken.hash(raw)


def test_session_auth_works_and_a_wrong_token_beats_the_session(client, world, family):
    client.force_login(world.lead)
    url = f"/api/families/{family['household'].pk}"
    assert client.get(url).status_code == 200
    assert client.get(url, headers=bearer("eh_wrong")).status_code == 401


def test_session_post_needs_csrf_token(world, family):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.lead)
    body = {"family_name": "Testfamily", "given_name": "Alex"}
    response = browser.post("/api/people/search", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    csrf = "k" * 32  # a CSRF secret as the browser would hold it in its cookie
    browser.cookies["csrftoken"] = csrf
    response = browser.post("/api/people/search", body, content_type="application/json",
                            headers={"X-CSRFToken": csrf})
    assert response.status_code == 200


def test_bearer_post_needs_no_csrf_token(world, family, tokens):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/api/people/search", {"family_name": "Testfamily", "given_name": "Alex"}, content_type="application/json",
        headers=bearer(tokens["lead"]))
    assert response.status_code == 200


def test_unauthenticated_post_is_401_not_a_csrf_403(world):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/referrals", {}, content_type="application/json")
    assert response.status_code == 401


# --- GET /api/families/{id} ---------------------------------------------------------------------

def test_lead_gets_the_family_and_the_read_is_audited(client, world, family, tokens):
    hid = family["household"].pk
    response = client.get(f"/api/families/{hid}", headers=bearer(tokens["lead"]))
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == hid and data["reference"] == family["household"].reference
    assert data["is_restricted"] is False
    assert {m["given_name"] for m in data["members"]} == {"Alex", "Sam", "Jamie", "Riley"}
    assert {m["role"] for m in data["members"]} == {"parent_carer", "child"}
    assert data["markers"] == [{"person_id": family["members"][2].pk, "kind": "young_carer",
                                "label": "Young carer", "start_date": "2024-01-01"}]
    episode = data["episode"]
    assert episode["status"] == "open" and episode["team"]["name"] == "North Early Help"
    assert episode["lead_practitioner"] == {"id": world.lead.pk, "display_name": world.lead.display_name}
    assert [t["practitioner"]["id"] for t in episode["taf_members"]] == [world.partner.pk]
    findings = {f["area"]: f for f in data["assessment"]["findings"]}
    assert findings["HEALTH"] == {"area": "HEALTH", "restricted": False, "strengths": "Registered with GP",
                                  "needs": "Anxiety support", "score": 2}
    view = AuditEvent.objects.filter(action=Action.VIEW, event="household.view", household_id=hid).last()
    assert view.actor_id == world.lead.pk and view.purpose == "api_access"
    assert view.route.startswith("api:")


def test_partner_sees_markers_but_not_special_category_detail(client, family, tokens):
    response = client.get(f"/api/families/{family['household'].pk}", headers=bearer(tokens["partner"]))
    assert response.status_code == 200
    data = response.json()
    assert [m["kind"] for m in data["markers"]] == ["young_carer"]
    findings = {f["area"]: f for f in data["assessment"]["findings"]}
    assert findings["HEALTH"] == {"area": "HEALTH", "restricted": True}
    assert findings["EDUCATION"]["needs"] == "Attendance"
    assert b"Anxiety support" not in response.content


def test_no_relationship_is_404_json_and_audited_as_denied(client, family, tokens):
    hid = family["household"].pk
    before = denied_events(hid).count()
    response = client.get(f"/api/families/{hid}", headers=bearer(tokens["other_lead"]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found", "errors": []}
    assert denied_events(hid).count() == before + 1


def test_a_family_that_does_not_exist_looks_the_same(client, family, tokens):
    response = client.get("/api/families/987654", headers=bearer(tokens["lead"]))
    assert response.status_code == 404 and response.json()["detail"] == "Not found"
    assert denied_events(987654).count() == 1


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999999999999999999999"])
def test_bad_family_id_is_422(client, tokens, bad):
    assert client.get(f"/api/families/{bad}", headers=bearer(tokens["lead"])).status_code == 422


# --- GET /api/families/{id}/episodes ------------------------------------------------------------

def test_episodes(client, world, family, tokens):
    hid = family["household"].pk
    response = client.get(f"/api/families/{hid}/episodes", headers=bearer(tokens["lead"]))
    assert response.status_code == 200
    [episode] = response.json()
    assert episode == {
        "id": family["episode"].pk, "status": "open", "opened_on": family["episode"].opened_on.isoformat(),
        "closed_on": None, "closure_reason": "", "team": {"id": world.north.pk, "name": "North Early Help"},
        "lead_practitioner": {"id": world.lead.pk, "display_name": world.lead.display_name},
    }
    assert AuditEvent.objects.filter(event="episode.list", household_id=hid, actor=world.lead).exists()
    assert client.get(f"/api/families/{hid}/episodes", headers=bearer(tokens["other_lead"])).status_code == 404
    assert denied_events(hid).exists()


# --- GET /api/people/{id} -----------------------------------------------------------------------

def test_person_with_special_category_for_the_lead(client, world, family, tokens):
    child = family["members"][2]
    response = client.get(f"/api/people/{child.pk}", headers=bearer(tokens["lead"]))
    assert response.status_code == 200
    data = response.json()
    assert data["given_name"] == "Jamie" and data["date_of_birth"] == "2014-05-06"
    assert [i["scheme"] for i in data["identifiers"]] == ["nhs"]
    assert data["current_address"]["postcode"] == "SW1A 1AA"
    assert [m["kind"] for m in data["markers"]] == ["young_carer"]
    assert data["special_category"] == {"ethnicity": "NOBT", "disability": "unknown",
                                        "special_educational_needs": "unknown"}
    assert data["special_category_restricted"] is False
    event = AuditEvent.objects.filter(event="person.view", actor=world.lead).last()
    assert event.object_ids == [child.pk] and event.household_id == family["household"].pk
    assert event.metadata == {"special_category": True}


def test_partner_without_grant_gets_no_special_category(client, family, tokens):
    response = client.get(f"/api/people/{family['members'][2].pk}", headers=bearer(tokens["partner"]))
    assert response.status_code == 200
    data = response.json()
    assert data["special_category"] is None and data["special_category_restricted"] is True
    assert "ethnicity" not in response.content.decode()


def test_person_outside_the_callers_families_is_404_and_audited(client, family, tokens):
    person = family["members"][0]
    response = client.get(f"/api/people/{person.pk}", headers=bearer(tokens["other_lead"]))
    assert response.status_code == 404 and response.json()["detail"] == "Not found"
    event = denied_events().last()
    assert event.event == "person.denied" and event.object_ids == [person.pk]


# --- POST /api/people/search --------------------------------------------------------------------

def test_search_returns_minimal_fields(client, family, tokens):
    response = client.post("/api/people/search", {"family_name": "Testfamily", "given_name": "Jamie"},
                           content_type="application/json", headers=bearer(tokens["front_door"]))
    assert response.status_code == 200
    data = response.json()
    assert data["restricted_match"] is False
    top = data["results"][0]
    assert set(top) == {"person_id", "name", "date_of_birth", "expected_date_of_birth", "postcode_district",
                        "household_id", "matched_on", "score"}
    assert top["name"] == "Jamie Testfamily" and top["postcode_district"] == "SW1A"
    assert top["household_id"] is None  # the front door may not open the family
    lead = client.post("/api/people/search", {"family_name": "Testfamily", "given_name": "Jamie"},
                       content_type="application/json", headers=bearer(tokens["lead"])).json()
    assert lead["results"][0]["household_id"] == family["household"].pk


def test_search_needs_enough_terms(client, tokens):
    response = client.post("/api/people/search", {"family_name": "Testfamily"}, content_type="application/json",
                           headers=bearer(tokens["lead"]))
    assert response.status_code == 422
    assert "family name with a given name" in response.json()["detail"]


def test_search_with_bad_identifier_names_the_field(client, tokens):
    response = client.post("/api/people/search", {"identifier": "12345"}, content_type="application/json",
                           headers=bearer(tokens["lead"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identifier"


@pytest.mark.parametrize("date_of_birth", [0, "1654646400", "2014-05-06T00:00:00", "06/05/2014"])
def test_search_date_of_birth_must_be_an_iso_date(client, tokens, date_of_birth):
    response = client.post("/api/people/search", {"family_name": "Testfamily", "date_of_birth": date_of_birth},
                           content_type="application/json", headers=bearer(tokens["lead"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date_of_birth"


def test_search_by_a_role_that_may_not_search_is_403_and_audited(client, tokens, world):
    response = client.post("/api/people/search", {"family_name": "Testfamily", "given_name": "Alex"},
                           content_type="application/json", headers=bearer(tokens["data_team"]))
    assert response.status_code == 403
    event = AuditEvent.objects.filter(action="denied", event="api.denied").last()
    assert event.actor == world.data_team and "Testfamily" not in str(event.metadata)


# --- POST /api/referrals ------------------------------------------------------------------------

@pytest.fixture
def referral(world, family):
    return {"person_id": family["members"][3].pk, "team_id": world.south.pk, "channel": "email",
            "source": "school", "source_organisation_id": world.school.pk, "referrer_name": "Ms Head",
            "reason": "Worried about attendance", "consent_at_referral": "given"}


def post_referral(client, body, token):
    return client.post("/api/referrals", body, content_type="application/json", headers=bearer(token))


def test_referral_is_created(client, world, family, tokens, referral):
    before = Contact.objects.count()
    response = post_referral(client, referral, tokens["front_door"])
    assert response.status_code == 201, response.json()
    data = response.json()
    contact = Contact.objects.get(pk=data["id"])
    assert Contact.objects.count() == before + 1
    assert data["status"] == "awaiting_decision" and data["household_id"] == family["household"].pk
    assert contact.subject_id == referral["person_id"] and contact.team == world.south
    assert contact.recorded_by == world.front_door and contact.source_organisation == world.school
    assert AuditEvent.objects.filter(event="contact.create", object_ids=[contact.pk]).exists()


@pytest.mark.parametrize("change, field, message", [
    ({"team_id": 999999}, "team_id", "Unknown team"),
    ({"source_organisation_id": 999999}, "source_organisation_id", "Unknown source organisation"),
    ({"person_id": 999999}, "person_id", "Unknown person"),
    ({"reason": "   "}, "reason", "Enter the reason for the contact"),
    ({"received_at": "2999-01-01T09:00:00+00:00"}, "received_at", "The date received must be today or in the past"),
    ({"channel": "pigeon"}, "channel", None),
    ({"received_at": "2024-01-01T09:00:00"}, "received_at", None),  # no time zone
    ({"reason": "a\x00b"}, "reason", "Must not contain a NUL (0x00) character"),  # PostgreSQL cannot store NUL
    ({"person_id": "3"}, "person_id", None),  # only what the document describes: an integer
    ({"received_at": 0}, "received_at", "Enter a date and time as YYYY-MM-DDTHH:MM:SS with a time zone"),
    ({"received_at": "0001-01-01T00:00:00+01:00"}, "received_at", "out of range"),
])
def test_referral_bad_input_is_422_naming_the_field_and_writes_nothing(client, tokens, referral, change, field,
                                                                        message):
    before = Contact.objects.count()
    response = post_referral(client, {**referral, **change}, tokens["front_door"])
    assert response.status_code == 422
    body = response.json()
    assert field in [e["field"] for e in body["errors"]], body
    if message:
        assert message in body["detail"]
    assert Contact.objects.count() == before


def test_errors_do_not_echo_what_was_sent(client, tokens, referral):
    response = post_referral(client, {**referral, "channel": "Pigeon to Alex Testfamily"}, tokens["front_door"])
    assert response.status_code == 422
    assert b"Testfamily" not in response.content


def test_referral_received_at_with_a_large_utc_offset_is_stored_in_utc(client, tokens, referral):
    # Python allows offsets to ±23:59; PostgreSQL refused +22:52 with a server error (found by schemathesis).
    offset = datetime.timezone(datetime.timedelta(hours=22, minutes=52))
    sent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)).replace(microsecond=0)
    response = post_referral(client, {**referral, "received_at": sent.astimezone(offset).isoformat()},
                             tokens["front_door"])
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.received_at == sent


def test_referral_with_empty_reason_is_422(client, tokens, referral):
    before = Contact.objects.count()
    response = post_referral(client, {**referral, "reason": ""}, tokens["front_door"])
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "Enter the reason for the contact"}]
    assert Contact.objects.count() == before


def test_referral_for_a_person_no_longer_in_the_family_is_422(client, world, family, tokens, referral):
    from earlyhelp.people import services as people

    membership = family["household"].memberships.get(person_id=referral["person_id"])
    people.end_membership(by=world.front_door, membership=membership, end_date=datetime.date.today())
    before = Contact.objects.count()
    response = post_referral(client, referral, tokens["front_door"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person_id"
    assert Contact.objects.count() == before


@pytest.mark.parametrize("role", ["data_team", "partner"])
def test_referral_by_a_role_that_cannot_record_contacts_is_403(client, tokens, referral, role):
    before = Contact.objects.count()
    response = post_referral(client, {**referral, "team_id": 999999}, tokens[role])
    assert response.status_code == 403  # not 422: the answer does not reveal which ids exist
    assert Contact.objects.count() == before


def test_malformed_json_is_400(client, tokens):
    response = client.post("/api/referrals", "{not json", content_type="application/json",
                           headers=bearer(tokens["front_door"]))
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"


# --- The OpenAPI document -----------------------------------------------------------------------

def test_openapi_document_and_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {"/api/families/", "/api/reviews/",
                                    "/api/families/{household_id}", "/api/families/{household_id}/episodes",
                                    "/api/people/{person_id}", "/api/people/search", "/api/referrals",
                                    "/api/families/{household_id}/consents", "/api/consents/{consent_id}/withdrawal",
                                    "/api/families/{household_id}/disclosures",
                                    "/api/families/{household_id}/referrals-out",
                                    "/api/families/{household_id}/suggestions", "/api/suggestions/{suggestion_id}/decision",
                                    "/api/families/{household_id}/panel-packs",
                                    "/api/families/{household_id}/information-report",
                                    "/api/reporting/nis-transfers", "/api/reporting/nis-transfers/{disclosure_id}",
                                    "/api/reporting/research-projects",
                                    "/api/reporting/research-projects/{project_id}/extracts", "/api/returns",
                                    "/api/returns/annex-a/list-2", "/api/returns/family-progress",
                                    "/api/returns/quarterly", "/api/returns/{return_id}"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "200" in operation["responses"] or "201" in operation["responses"], (method, path)
            assert {"401", "422"} <= set(operation["responses"]), (method, path)
    assert client.get("/api/docs").status_code == 200


def test_referral_received_more_than_a_year_ago_is_422(client, tokens, referral):
    before = Contact.objects.count()
    response = post_referral(client, {**referral, "received_at": "2020-02-18T18:11:57+00:00"}, tokens["front_door"])
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "received_at",
                                          "message": "The date received must be within the last year"}]
    assert Contact.objects.count() == before


@pytest.mark.promise("P2")
def test_a_referral_about_a_family_the_caller_may_not_see_answers_as_if_it_did_not_exist(client, world, tokens,
                                                                                          referral, family):
    from earlyhelp.access import services as access_services

    access_services.exclude(by=world.manager, household=family["household"], user=world.front_door,
                            reason="Related to the family")
    hidden = post_referral(client, referral, tokens["front_door"])
    missing = post_referral(client, {**referral, "person_id": 2**40}, tokens["front_door"])
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.front_door,
                                     household_id=family["household"].pk).exists()
