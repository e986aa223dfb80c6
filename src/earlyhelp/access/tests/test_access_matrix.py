"""The access matrix: role x relationship x every page that shows a family's personal data (P2, P18).

The expected outcome of every cell is written out here, independently of `access.policy`, so a
change to the policy that widens access fails this test.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from earlyhelp.access.models import AccessExclusion
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services
from earlyhelp.organisations.models import Organisation, OrganisationType, Role
from earlyhelp.programme.services import framework
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import give_consent, make_family, make_user

pytestmark = pytest.mark.promise("P2", "P18", "P16", "P8")

# Who is who, relative to the family under test (held by the North team).
LEAD = "lead"                      # its lead practitioner
TEAMMATE = "teammate"              # a practitioner in the holding team
MANAGER = "manager"                # manages the holding team
TAF = "partner"                    # partner on the TAF given every section, no special category grant
TAF_GRANTED = "granted_partner"    # partner on the TAF given every section, with the grant
TAF_MINIMUM = "minimum_partner"    # partner on the TAF invited with the default: the minimum (P8)
OTHER_LEAD = "other_lead"          # a practitioner in another team
OTHER_MANAGER = "other_manager"    # manages another team
STRANGER = "other_partner"         # a partner with no link to the family
EXCLUDED = "excluded"              # in the holding team, but named as someone who must not see it
# On the TAF, but working for an organisation of a type the family said must not see their information (B3).
EXCLUDED_BY_TYPE = "excluded_by_type"
FRONT_DOOR, DATA, DPO, ADMIN = "front_door", "data_team", "dpo", "admin"
EVERYONE = [LEAD, TEAMMATE, MANAGER, TAF, TAF_GRANTED, TAF_MINIMUM, OTHER_LEAD, OTHER_MANAGER, STRANGER, EXCLUDED,
            EXCLUDED_BY_TYPE, FRONT_DOOR, DATA, DPO, ADMIN]

CASEWORKERS = {LEAD, TEAMMATE, MANAGER}
VIEWERS = CASEWORKERS | {TAF, TAF_GRANTED, TAF_MINIMUM}
GIVEN_THE_ASSESSMENT = CASEWORKERS | {TAF, TAF_GRANTED}  # the minimum partner was not given it (P8)

# page name -> who gets 200; everyone else gets 404.
EXPECTED = {
    "family": VIEWERS,
    "person": VIEWERS,
    "family-viewers": {MANAGER, DPO},
    "family-chronology": VIEWERS,
    "member-new": CASEWORKERS,
    "assessment-start": CASEWORKERS,
    "taf-new": CASEWORKERS,
    "taf-sections": CASEWORKERS,
    "assessment-edit": CASEWORKERS,
    "action-new": CASEWORKERS,
    "action-update": CASEWORKERS | {TAF},  # the partner owns this action
    "review-record": CASEWORKERS,
    "note-new": CASEWORKERS,
    "document-new": CASEWORKERS,
    "document": CASEWORKERS | {TAF_GRANTED},
    "closure-request": CASEWORKERS,
    "needs": GIVEN_THE_ASSESSMENT,
    "need-new": CASEWORKERS,
    "need-withdraw": CASEWORKERS,
    "allocate": {MANAGER},
    "step-up": {MANAGER},
    "family-access": {MANAGER},
    "taf-end": CASEWORKERS,
    "consent-new": CASEWORKERS,
    "disclosure-new": CASEWORKERS,
    "referral-out-new": CASEWORKERS,
    "panel-pack-new": CASEWORKERS,
    "family-information": CASEWORKERS,
    "api-family": VIEWERS,
    "api-episodes": VIEWERS,
    "api-person": VIEWERS,
    "api-consents": CASEWORKERS,
    "api-disclosures": CASEWORKERS,
    "api-suggestions": CASEWORKERS,
}


def _descriptor(area_code):
    return framework.descriptors().filter(area__code=area_code).first()


@pytest.fixture
def scene(world):
    granted = make_user("partner_granted", Role.PARTNER_PROFESSIONAL, world.health)
    minimum = make_user("partner_minimum", Role.PARTNER_PROFESSIONAL, world.health)
    excluded = make_user("excluded_north", Role.LEAD_PRACTITIONER, world.council, world.north)
    police = Organisation.objects.create(name="Matrix Constabulary", type=OrganisationType.POLICE)
    by_type = make_user("excluded_police", Role.PARTNER_PROFESSIONAL, police)
    world.users.update({"granted_partner": granted, "minimum_partner": minimum, "excluded": excluded,
                        EXCLUDED_BY_TYPE: by_type})
    family = make_family(world, lead=world.lead, taf=[world.partner])
    household, episode = family["household"], family["episode"]
    every_section = ["assessment", "plan", "reviews", "notes"]
    services.change_taf_sections(by=world.lead, member=episode.taf_members.get(practitioner=world.partner),
                                 sections=every_section)
    give_consent(world.lead, household, family["members"][0], [OrganisationType.HEALTH, OrganisationType.POLICE])
    services.add_taf_member(by=world.lead, episode=episode, practitioner=granted, special_category_access=True,
                            sections=every_section)
    services.add_taf_member(by=world.lead, episode=episode, practitioner=minimum)
    services.add_taf_member(by=world.lead, episode=episode, practitioner=by_type, sections=every_section)
    # Recorded directly, so the police partner's TAF membership stays live: the exclusion must beat it.
    AccessExclusion.objects.create(household=household, organisation_type=OrganisationType.POLICE,
                                   reason="The family's wish", recorded_by=world.lead)
    AccessExclusion.objects.create(household=household, user=excluded, reason="Family member works here",
                                   recorded_by=world.manager)
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance and health")
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="I like school",
                               analysis="Needs support",
                               findings={"HEALTH": {"strengths": "", "needs": "Asthma", "score": 2}})
    action = services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                                      action="Daily check-in", owner=world.partner, intended_outcome="95% attendance",
                                      due_date=episode.opened_on.replace(year=episode.opened_on.year + 1))
    document = services.upload_document(by=world.lead, episode=episode, title="Consent form",
                                        upload=SimpleUploadedFile("c.pdf", b"%PDF-1.4 test", "application/pdf"))
    need = services.record_family_need(by=world.lead, household_id=household.pk, person_id=None,
                                       descriptor_id=_descriptor("EDUCATION").pk, evidence="Attendance 82%")
    hid = household.pk
    urls = {
        "family": reverse("web:family", args=[hid]),
        "person": reverse("web:person", args=[family["members"][2].pk]),
        "family-viewers": reverse("web:family-viewers", args=[hid]),
        "family-chronology": reverse("web:family-chronology", args=[hid]),
        "member-new": reverse("web:member-new", args=[hid]),
        "assessment-start": reverse("web:assessment-start", args=[hid]),
        "taf-new": reverse("web:taf-new", args=[hid]),
        "taf-sections": reverse("web:taf-sections", args=[hid, episode.taf_members.get(practitioner=minimum).pk]),
        "assessment-edit": reverse("web:assessment-edit", args=[hid]),
        "action-new": reverse("web:action-new", args=[hid]),
        "action-update": reverse("web:action-update", args=[hid, action.pk]),
        "review-record": reverse("web:review-record", args=[hid, episode.reviews.get().pk]),
        "note-new": reverse("web:note-new", args=[hid]),
        "document-new": reverse("web:document-new", args=[hid]),
        "document": reverse("web:document", args=[hid, document.pk]),
        "closure-request": reverse("web:closure-request", args=[hid]),
        "needs": reverse("web:needs", args=[hid]),
        "need-new": reverse("web:need-new", args=[hid]),
        "need-withdraw": reverse("web:need-withdraw", args=[hid, need.pk]),
        "allocate": reverse("web:allocate", args=[hid]),
        "step-up": reverse("web:step-up", args=[hid]),
        "family-access": reverse("web:family-access", args=[hid]),
        "taf-end": reverse("web:taf-end", args=[hid, episode.taf_members.get(practitioner=world.partner).pk]),
        "consent-new": reverse("web:consent-new", args=[hid]),
        "disclosure-new": reverse("web:disclosure-new", args=[hid]),
        "referral-out-new": reverse("web:referral-out-new", args=[hid]),
        "panel-pack-new": reverse("web:panel-pack-new", args=[hid]),
        "family-information": reverse("web:family-information", args=[hid]),
        "api-family": f"/api/families/{hid}",
        "api-episodes": f"/api/families/{hid}/episodes",
        "api-person": f"/api/people/{family['members'][2].pk}",
        "api-consents": f"/api/families/{hid}/consents",
        "api-disclosures": f"/api/families/{hid}/disclosures",
        "api-suggestions": f"/api/families/{hid}/suggestions",
    }
    return world, household, urls


def test_every_page_under_a_family_is_in_the_matrix():
    from earlyhelp.web.urls import urlpatterns

    family_pages = {p.name for p in urlpatterns if "<id:household_id>" in str(p.pattern)}
    # Pages that exist only while something awaits a decision (a withdrawal, a submitted assessment, a closure,
    # a suggestion); their access is tested with that state in casework and privacy tests.
    state_dependent = {"consent-withdraw", "assessment-decide", "closure-decide", "suggestion-decide"}
    missing = family_pages - set(EXPECTED) - state_dependent
    assert not missing, f"add these family pages to the access matrix: {sorted(missing)}"


@pytest.mark.parametrize("who", EVERYONE)
def test_each_role_and_relationship_gets_exactly_the_pages_it_should(client, scene, who):
    world, household, urls = scene
    client.force_login(world.users[who])
    outcomes = {page: client.get(url).status_code for page, url in urls.items()}
    expected = {page: (200 if who in allowed else 404) for page, allowed in EXPECTED.items()}
    assert outcomes == expected


@pytest.mark.parametrize("who", [w for w in EVERYONE if w not in VIEWERS and w != DPO])
def test_refusals_are_audited_without_revealing_the_record(client, scene, who):
    world, household, urls = scene
    client.force_login(world.users[who])
    before = AuditEvent.objects.filter(action=Action.DENIED, household_id=household.pk).count()
    response = client.get(urls["family"])
    assert response.status_code == 404
    assert household.reference.encode() not in response.content
    assert AuditEvent.objects.filter(action=Action.DENIED, household_id=household.pk,
                                     actor=world.users[who]).count() == before + 1


def test_nonexistent_family_looks_the_same_as_a_forbidden_one(client, scene):
    world, household, urls = scene
    client.force_login(world.other_partner)
    forbidden = client.get(urls["family"])
    missing = client.get(reverse("web:family", args=[household.pk + 999]))
    assert forbidden.status_code == missing.status_code == 404
    # The CSP nonce and the masked CSRF token differ on every response; nothing else may.
    def normalised(body):
        return re.sub(rb'(nonce|value)="[^"]*"', b"", body)

    assert normalised(forbidden.content) == normalised(missing.content)


def test_partner_without_grant_sees_special_category_only_as_a_marker(client, scene):
    world, household, urls = scene
    client.force_login(world.partner)
    page = client.get(urls["family"]).content.decode()
    assert "Asthma" not in page and "Recorded – restricted" in page
    assert "I like school" not in page  # voice of the child is not shared without the grant
    client.force_login(world.users["granted_partner"])
    page = client.get(urls["family"]).content.decode()
    assert "Asthma" in page


def test_anonymous_users_are_sent_to_sign_in(client, scene):
    world, household, urls = scene
    for url in urls.values():
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("web:sign-in"))


def test_restricted_family_is_hidden_from_the_wider_team(client, world):
    family = make_family(world, lead=world.lead, restricted=True)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.teammate)
    assert client.get(url).status_code == 404
    for user in (world.lead, world.manager):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_partner_loses_access_when_the_episode_closes(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    episode = family["episode"]
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.partner)
    assert client.get(url).status_code == 200
    services.step_up(by=world.manager, episode=episode, reason="Significant harm")
    assert client.get(url).status_code == 404


def test_there_is_no_browse_all_list(client, world):
    mine = make_family(world, lead=world.lead)
    others = [make_family(world, family_name=f"Browse{name_suffix(i)}", seed=i + 10, lead=world.other_lead, team=world.south)
              for i in range(3)]
    client.force_login(world.lead)
    page = client.get(reverse("web:families", args=["mine"])).content.decode()
    assert mine["household"].reference in page
    for family in others:
        assert family["household"].reference not in page
        assert reverse("web:family", args=[family["household"].pk]) not in page


def test_manager_restricts_a_family_and_names_someone_who_must_not_see_it(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    hid = family["household"].pk
    client.force_login(world.manager)
    url = reverse("web:family-access", args=[hid])
    page = client.post(url, {"form": "exclusion", "exclusion-user": world.partner.pk, "exclusion-reason": ""})
    assert "Enter why this person must not see the record" in page.content.decode()
    client.post(url, {"form": "exclusion", "exclusion-user": world.partner.pk, "exclusion-reason": "Neighbour"})
    client.post(url, {"form": "restriction", "restriction-restricted": "yes", "restriction-reason": "Public figure"})
    family["household"].refresh_from_db()
    assert family["household"].is_restricted
    assert AuditEvent.objects.filter(event="household.exclude", household_id=hid).exists()
    for user in (world.partner, world.teammate):
        client.force_login(user)
        assert client.get(reverse("web:family", args=[hid])).status_code == 404
    client.force_login(world.lead)
    assert client.get(url).status_code == 404  # only managers change who can see a family


def test_someone_who_has_left_a_family_is_no_longer_visible_through_it(client, world):
    from earlyhelp.people import services as people

    family = make_family(world, lead=world.lead)
    mother = family["members"][0]
    membership = mother.memberships.get()
    people.end_membership(by=world.lead, membership=membership, end_date=membership.start_date)
    client.force_login(world.lead)
    assert client.get(reverse("web:person", args=[mother.pk])).status_code == 404


def test_a_person_also_in_a_hidden_family_is_not_shown_through_a_visible_one(client, world):
    from earlyhelp.people import services as people

    visible = make_family(world, lead=world.lead)
    refuge = make_family(world, family_name="Refuge", seed=7, lead=world.other_lead, team=world.south,
                         restricted=True)
    child = refuge["members"][2]
    # Adding someone from a family you cannot see is refused, so it cannot be used to open them.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="family you do not work with"):
        people.add_member(by=world.lead, household=visible["household"], person=child, role="child",
                          start_date=child.date_of_birth)
    client.force_login(world.lead)
    assert client.get(reverse("web:person", args=[child.pk])).status_code == 404


def test_a_team_that_held_the_family_before_loses_its_rights_when_another_team_holds_it(client, world):
    family = make_family(world, lead=world.lead)
    services.step_up(by=world.manager, episode=family["episode"], reason="Risk")
    services.open_episode(by=world.other_manager, household=family["household"], team=world.south)
    url = reverse("web:family", args=[family["household"].pk])
    for user, status in [(world.lead, 404), (world.manager, 404), (world.teammate, 404),
                         (world.other_manager, 200), (world.other_lead, 200)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_partner_without_grant_sees_that_reviews_were_held_but_not_what_was_said(client, scene):
    world, household, urls = scene
    episode = household.episodes.get()
    review = episode.reviews.get()
    services.record_review(by=world.lead, review=review, held_on=episode.opened_on,
                           summary="Mum disclosed depression",
                           progress={need.pk: (3, "Attendance 88%") for need in episode.needs.all()})
    client.force_login(world.partner)
    page = client.get(urls["family"]).content.decode()
    assert "Mum disclosed depression" not in page and "Recorded – restricted" in page
    client.force_login(world.users["granted_partner"])
    assert "Mum disclosed depression" in client.get(urls["family"]).content.decode()


def test_partner_owning_a_sensitive_action_updates_it_without_seeing_its_detail(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    episode = family["episode"]
    action = services.add_plan_action(by=world.lead, episode=episode, area_code="HEALTH", need="Self-harm",
                                      action="Refer to CAMHS", owner=world.partner, intended_outcome="Safe",
                                      due_date=episode.opened_on.replace(year=episode.opened_on.year + 1))
    client.force_login(world.partner)
    page = client.get(reverse("web:action-update", args=[family["household"].pk, action.pk])).content.decode()
    assert page and "Refer to CAMHS" not in page and "Recorded – restricted" in page


@pytest.mark.parametrize("path", ["/families/99999999999999999999/", "/families/1/documents/99999999999999999999/"])
def test_huge_ids_in_urls_are_a_plain_404(client, world, path):
    client.force_login(world.lead)
    assert client.get(path).status_code == 404


def test_probing_another_familys_record_ids_is_refused_and_audited(client, world):
    mine = make_family(world, lead=world.lead)
    theirs = make_family(world, family_name="Other", seed=3, lead=world.lead)
    review = theirs["episode"].reviews.get()
    client.force_login(world.lead)
    url = reverse("web:review-record", args=[mine["household"].pk, review.pk])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, object_ids=[review.pk],
                                     household_id=mine["household"].pk).exists()


def test_search_and_contacts_do_not_describe_families_the_user_is_excluded_from(client, world):
    from earlyhelp.people import selectors

    family = make_family(world, family_name="Excludedfam", lead=world.lead)
    AccessExclusion.objects.create(household=family["household"], user=world.teammate, reason="Relative",
                                   recorded_by=world.manager)
    outcome = selectors.search_people(world.teammate, family_name="Excludedfam", given_name="Alex")
    assert outcome.results == [] and outcome.restricted_match
    client.force_login(world.teammate)
    assert client.get(reverse("web:contact", args=[family["contact"].pk])).status_code == 404


def test_contacts_about_a_restricted_family_are_hidden_from_the_wider_team(client, world):
    family = make_family(world, lead=world.lead, restricted=True)
    client.force_login(world.teammate)
    assert client.get(reverse("web:contact", args=[family["contact"].pk])).status_code == 404
    client.force_login(world.manager)
    assert client.get(reverse("web:contact", args=[family["contact"].pk])).status_code == 200


def test_removing_a_partner_from_the_taf_ends_their_access(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    member = family["episode"].taf_members.get(practitioner=world.partner)
    client.force_login(world.lead)
    client.post(reverse("web:taf-end", args=[family["household"].pk, member.pk]))
    client.force_login(world.partner)
    assert client.get(reverse("web:family", args=[family["household"].pk])).status_code == 404


# --- Every read of a family's page leaves a trace (issue 13: unaudited reads) ---------------------------------

def _traces(household, user) -> int:
    """Reads and refusals by this user that name the family, or one of its people (a person's page)."""
    people = set(household.memberships.values_list("person_id", flat=True))
    events = AuditEvent.objects.filter(actor=user, action__in=[Action.VIEW, Action.DENIED, Action.EXPORT])
    return sum(1 for e in events if e.household_id == household.pk
               or ("people.person" in e.object_type.split(",") and people & set(e.object_ids)))


@pytest.mark.promise("P2", "P23")
@pytest.mark.parametrize("who", EVERYONE)
def test_every_family_page_writes_a_view_or_refusal_event_with_the_family(client, scene, who):
    """Allowed or refused, every GET of every page under a family is in the audit trail with the family's id."""
    world, household, urls = scene
    client.force_login(world.users[who])
    silent = []
    for page, url in urls.items():
        before = _traces(household, world.users[who])
        client.get(url)
        if _traces(household, world.users[who]) == before:
            silent.append(page)
    assert not silent, f"these pages were read without an audit event naming the family: {silent}"


@pytest.mark.promise("P2", "P23")
def test_the_consent_form_and_the_plan_action_page_audit_the_read(client, scene):
    world, household, urls = scene
    for page in ("consent-new", "action-update"):
        client.force_login(world.lead)
        before = AuditEvent.objects.filter(action=Action.VIEW, household_id=household.pk, actor=world.lead).count()
        assert client.get(urls[page]).status_code == 200
        assert AuditEvent.objects.filter(action=Action.VIEW, household_id=household.pk,
                                         actor=world.lead).count() == before + 1, page
