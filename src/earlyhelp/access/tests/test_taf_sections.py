"""Proportionate sharing with the Team Around the Family (P8): "information will only be shared where it is relevant
to do so, and the level of information shared will be proportionate to the needs identified".

An invitation names the sections the member will see (by default the minimum: who is in the family and who is
working with it, plus the plan actions given to them); the disclosure log records exactly those; every page and the
API show exactly those; changing them later is logged. What each section shows, and on which page, is written out
here independently of `access.policy`.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import TafMember, TafSectionChange
from earlyhelp.casework.provenance import information_report
from earlyhelp.organisations.models import OrganisationType, Role
from earlyhelp.privacy.models import Disclosure, DisclosureKind, DisclosureSection
from earlyhelp.programme.services import framework
from earlyhelp.testing.world import give_consent, make_family, make_user

pytestmark = pytest.mark.promise("P8")

OPTIONAL = ["assessment", "plan", "reviews", "notes"]
MINIMUM = ["episode", "household"]

# What each section puts on the family page (synthetic text written by the scene below).
ON_THE_FAMILY_PAGE = {
    "household": ["Testfamily"],
    "episode": ["North Early Help"],
    "assessment": ["Attendance fell to 81 percent", "Gets on well with teachers"],
    "plan": ["Weekly budgeting session"],
    "reviews": ["Review found steady progress"],
    "notes": ["Home visit went well", "School report"],
}
ALWAYS = "Daily attendance check-in"  # a plan action given to the partner: they always see it


@pytest.fixture
def scene(world):
    """A family with every section filled in, and a health partner the family has agreed may be told about it."""
    family = make_family(world, lead=world.lead)
    household, episode = family["household"], family["episode"]
    give_consent(world.lead, household, family["members"][0], [OrganisationType.HEALTH])
    partner = make_user("nurse", Role.PARTNER_PROFESSIONAL, world.health)
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="",
                               findings={"EDUCATION": {"strengths": "Gets on well with teachers",
                                                       "needs": "Attendance fell to 81 percent", "score": 2}})
    due = episode.opened_on.replace(year=episode.opened_on.year + 1)
    services.add_plan_action(by=world.lead, episode=episode, area_code="FINANCE", need="Debts",
                             action="Weekly budgeting session", owner=world.lead, intended_outcome="No arrears",
                             due_date=due)
    descriptor = framework.descriptors().filter(area__code="EDUCATION").first()
    services.record_family_need(by=world.lead, household_id=household.pk, person_id=None,
                                descriptor_id=descriptor.pk, evidence="Attendance 81%")
    review = episode.reviews.get()
    services.record_review(by=world.lead, review=review, held_on=episode.opened_on,
                           summary="Review found steady progress",
                           progress={need.pk: (3, "Attendance 85%") for need in episode.needs.all()})
    services.add_case_note(by=world.lead, episode=episode, text="Home visit went well")
    document = services.upload_document(by=world.lead, episode=episode, title="School report",
                                        upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4 test", "application/pdf"))
    return {"world": world, "household": household, "episode": episode, "partner": partner, "document": document,
            "due": due}


def _invite(scene, sections=None, **extra):
    """Invite the partner (with the special category grant, so what a section holds is shown in full, not masked:
    masking is P16's, tested in test_access_matrix) and give them a plan action of their own."""
    world, episode = scene["world"], scene["episode"]
    member = services.add_taf_member(by=world.lead, episode=episode, practitioner=scene["partner"],
                                     special_category_access=True, sections=sections, **extra)
    services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                             action=ALWAYS, owner=scene["partner"], intended_outcome="95%", due_date=scene["due"])
    return member


def _what_the_partner_gets(client, scene):
    hid, partner = scene["household"].pk, scene["partner"]
    client.force_login(partner)
    family_page = client.get(reverse("web:family", args=[hid]))
    assert family_page.status_code == 200
    api = client.get(f"/api/families/{hid}")
    assert api.status_code == 200
    return {
        "page": family_page.content.decode(),
        "needs": client.get(reverse("web:needs", args=[hid])).status_code,
        "document": client.get(reverse("web:document", args=[hid, scene["document"].pk])).status_code,
        "api": api.json(),
    }


@pytest.mark.parametrize("given", [None, *OPTIONAL], ids=["minimum", *OPTIONAL])
def test_the_partner_sees_exactly_the_sections_they_were_given_on_every_page_and_the_api(client, scene, given):
    member = _invite(scene, sections=[given] if given else None)
    sees = set(MINIMUM) | ({given} if given else set())
    got = _what_the_partner_gets(client, scene)
    page = got["page"]
    for section, texts in ON_THE_FAMILY_PAGE.items():
        for text in texts:
            assert (text in page) == (section in sees), (section, text)
    assert ALWAYS in page  # the action given to them, whatever they were given
    expected_not_shared = {"assessment": "has not shared the assessment with you",
                           "plan": "has not shared the family plan with you",
                           "reviews": "has not shared the reviews with you",
                           "notes": "has not shared the case notes or documents with you"}
    for section, line in expected_not_shared.items():
        assert (line in page) == (section not in sees), section
    # Pages of their own: the needs come from the assessment; documents go with the case notes.
    assert got["needs"] == (200 if "assessment" in sees else 404)
    assert got["document"] == (200 if "notes" in sees else 404)
    # The API says what the caller sees, and leaves out the assessment unless it is one.
    assert sorted(got["api"]["sections"]) == sorted(sees)
    assert (got["api"]["assessment"] is not None) == ("assessment" in sees)
    assert [m["given_name"] for m in got["api"]["members"]] and got["api"]["episode"]["team"]["name"]
    # The disclosure log names exactly what they see: no more, no less.
    assert sorted(member.disclosure.sections) == sorted(sees)
    assert sorted(member.sections) == sorted(sees)


def test_by_default_a_member_is_given_the_minimum_and_the_log_says_so(scene):
    member = _invite(scene)
    assert member.sections == MINIMUM
    disclosure = member.disclosure
    assert disclosure.kind == DisclosureKind.TAF_INVITATION and disclosure.sections == MINIMUM
    assert disclosure.section_labels == ["Episode and lead practitioner", "Household members"]
    assert disclosure.special_category_shared  # the grant is in the log, not only in the reason's words
    event = AuditEvent.objects.filter(event="taf.add", household_id=scene["household"].pk).get()
    assert event.metadata["sections"] == MINIMUM


def test_the_log_records_exactly_the_sections_chosen(scene):
    member = _invite(scene, sections=["plan", "notes"])
    assert sorted(member.disclosure.sections) == ["episode", "household", "notes", "plan"]
    assert Disclosure.objects.filter(household=scene["household"]).count() == 1


def test_a_section_that_does_not_exist_is_refused_and_nothing_is_written(scene):
    before = (Disclosure.objects.count(), TafMember.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.add_taf_member(by=scene["world"].lead, episode=scene["episode"], practitioner=scene["partner"],
                                sections=["plan", "everything"])
    assert refused.value.message_dict == {"sections": ["Choose the sections they will see from the list"]}
    assert (Disclosure.objects.count(), TafMember.objects.count()) == before


def test_adding_sections_is_a_new_disclosure_of_exactly_those_and_removing_them_is_recorded(client, scene):
    world, household = scene["world"], scene["household"]
    member = _invite(scene, sections=["plan"])
    added = services.change_taf_sections(by=world.lead, member=member, sections=["plan", "reviews"])
    assert added.added == ["reviews"] and added.removed == []
    assert added.disclosure.sections == ["reviews"] and added.disclosure.kind == DisclosureKind.TAF_INVITATION
    assert added.disclosure.basis == member.disclosure.basis == "consent"
    got = _what_the_partner_gets(client, scene)
    assert "Review found steady progress" in got["page"] and "Weekly budgeting session" in got["page"]

    removed = services.change_taf_sections(by=world.lead, member=member, sections=["reviews"])
    assert removed.added == [] and removed.removed == ["plan"] and removed.disclosure is None
    assert Disclosure.objects.filter(household=household).count() == 2  # less sharing shares nothing new
    member.refresh_from_db()
    assert member.sections == ["episode", "household", "reviews"]
    got = _what_the_partner_gets(client, scene)
    assert "Weekly budgeting session" not in got["page"] and ALWAYS in got["page"]
    assert list(AuditEvent.objects.filter(event="taf.sections", household_id=household.pk)
                .order_by("pk").values_list("metadata__removed", flat=True)) == [[], ["plan"]]

    # The family's sharing log and "who has my information" show both changes.
    client.force_login(world.lead)
    page = client.get(reverse("web:family", args=[household.pk])).content.decode()
    assert "Changes to what Team Around the Family members see" in page
    report = information_report(household)
    assert [(more, less) for _, _, more, less in report.section_changes] == [("", "family plan"), ("reviews", "")]
    holders = [how for who, how, since in report.holders if scene["partner"].get_full_name() in who]
    assert holders == ["On the Team Around the Family, seeing: household members, episode and lead practitioner, "
                       "reviews"]


def test_a_change_that_changes_nothing_is_refused(scene):
    member = _invite(scene, sections=["plan"])
    with pytest.raises(ValidationError) as refused:
        services.change_taf_sections(by=scene["world"].lead, member=member, sections=["plan"])
    assert "already see these sections" in str(refused.value)
    assert not TafSectionChange.objects.exists()


def test_only_the_familys_practitioners_change_what_a_member_sees(scene):
    member = _invite(scene)
    from django.core.exceptions import PermissionDenied

    for outsider in (scene["partner"], scene["world"].other_lead):
        with pytest.raises(PermissionDenied):
            services.change_taf_sections(by=outsider, member=member, sections=OPTIONAL)
    assert not TafSectionChange.objects.exists()


def test_the_record_holders_see_every_section_even_when_also_on_the_team_around_the_family(scene):
    world = scene["world"]
    services.add_taf_member(by=world.lead, episode=scene["episode"], practitioner=world.teammate)
    for holder in (world.lead, world.teammate, world.manager):
        assert policy.sections_visible(holder, scene["household"]) == frozenset(DisclosureSection.values)
    assert policy.sections_visible(world.other_lead, scene["household"]) == frozenset()


@pytest.mark.parametrize("page", ["needs", "document"])
def test_a_page_of_a_section_not_given_is_an_audited_refusal(client, scene, page):
    _invite(scene)
    hid = scene["household"].pk
    url = reverse("web:needs", args=[hid]) if page == "needs" else \
        reverse("web:document", args=[hid, scene["document"].pk])
    client.force_login(scene["partner"])
    before = AuditEvent.objects.filter(action=Action.DENIED, actor=scene["partner"], household_id=hid).count()
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=scene["partner"],
                                     household_id=hid).count() == before + 1


def test_the_access_policy_and_the_disclosure_log_name_the_same_sections():
    assert list(policy.SECTIONS) == list(DisclosureSection.values)


def test_the_invitation_page_offers_each_section_with_what_it_holds_and_records_the_choice(client, scene):
    world, household = scene["world"], scene["household"]
    client.force_login(world.lead)
    url = reverse("web:taf-new", args=[household.pk])
    page = client.get(url).content.decode()
    assert "They will always see who is in the family" in page
    for code in OPTIONAL:
        assert f'value="{code}"' in page
    assert 'value="household"' not in page  # always shared: not a choice
    assert "and the family&#x27;s Supporting Families needs" in page  # each checkbox has a hint
    assert page.count(" checked") == 0  # nothing more than the minimum unless chosen
    response = client.post(url, {"practitioner": scene["partner"].pk, "sections": ["reviews"]})
    assert response.status_code == 302
    member = TafMember.objects.get(practitioner=scene["partner"])
    assert member.sections == ["episode", "household", "reviews"] == member.disclosure.sections

    change_url = reverse("web:taf-sections", args=[household.pk, member.pk])
    page = client.get(change_url).content.decode()
    assert 'value="reviews" checked' in page
    assert client.post(change_url, {"sections": ["reviews", "notes"]}).status_code == 302
    member.refresh_from_db()
    assert member.sections == ["episode", "household", "notes", "reviews"]
    assert member.section_changes.get().disclosure.sections == ["notes"]
