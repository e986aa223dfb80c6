"""Team Around the Family invitations, referrals out and panel packs go through the disclosure log (P7, P8, P9)."""

import pytest
from django.core.exceptions import ValidationError

from earlyhelp.access import policy
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import ReferralOut, TafMember
from earlyhelp.casework.provenance import information_report
from earlyhelp.casework.services import panel_packs as packs
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import Disclosure, DisclosureKind
from earlyhelp.privacy.services import consent as consents
from earlyhelp.testing.world import give_consent, make_family, make_panel

pytestmark = pytest.mark.django_db


@pytest.mark.promise("P7")
def test_inviting_a_partner_without_the_familys_consent_is_refused_and_nothing_is_recorded(world):
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError, match="consent does not cover sharing with school"):
        casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.partner)
    assert not TafMember.objects.exists() and not Disclosure.objects.exists()
    assert policy.family_access(world.partner, family["household"].pk) is None


@pytest.mark.promise("P7", "P17")
def test_a_partners_invitation_is_logged_as_a_disclosure_of_what_they_will_see(world):
    family = make_family(world, lead=world.lead)
    give_consent(world.lead, family["household"], family["members"][0], [OrganisationType.SCHOOL])
    member = casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.partner)
    disclosure = member.disclosure
    assert (disclosure.kind, disclosure.basis, disclosure.recipient_organisation, disclosure.purpose.code) == (
        DisclosureKind.TAF_INVITATION, "consent", world.school, "multi_agency_sharing")
    assert "markers" in disclosure.reason and disclosure.recipient_person == world.partner.get_full_name()


@pytest.mark.promise("P7")
def test_colleagues_in_the_holding_team_are_not_a_disclosure_but_another_council_team_is(world):
    family = make_family(world, lead=world.lead)
    teammate = casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.teammate)
    other_team = casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.other_lead)
    assert teammate.disclosure is None
    assert (other_team.disclosure.basis, other_team.disclosure.purpose.code) == ("public_task", "early_help_casework")


@pytest.mark.promise("P7")
def test_a_manager_can_invite_a_partner_without_consent_for_a_recorded_legal_reason(world):
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError, match="approval of a manager"):
        casework.add_taf_member(by=world.lead, episode=family["episode"], practitioner=world.partner,
                                basis="safeguarding", reason="A child has disclosed harm at home")
    member = casework.add_taf_member(by=world.manager, episode=family["episode"], practitioner=world.partner,
                                     basis="safeguarding", reason="A child has disclosed harm at home")
    assert member.disclosure.approved_by == world.manager


@pytest.mark.promise("P9")
def test_withdrawing_consent_takes_partners_invited_on_it_off_the_team_at_once(world):
    family = make_family(world, lead=world.lead, taf=[world.partner, world.teammate])
    household = family["household"]
    assert policy.family_access(world.partner, household.pk) is not None
    consents.request_withdrawal(by=world.lead, consent_id=family["consent"].pk, channel="writing")
    assert policy.family_access(world.partner, household.pk) is None
    assert TafMember.objects.get(practitioner=world.teammate).end_date is None  # not there on consent
    # Earlier lawful processing stands: the record of the invitation is kept.
    assert Disclosure.objects.filter(kind=DisclosureKind.TAF_INVITATION).count() == 1


@pytest.mark.promise("P9")
def test_partners_stay_while_another_active_consent_still_covers_them(world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    household = family["household"]
    give_consent(world.lead, household, family["members"][1], [OrganisationType.SCHOOL])
    consents.request_withdrawal(by=world.lead, consent_id=family["consent"].pk, channel="writing")
    assert policy.family_access(world.partner, household.pk) is not None


@pytest.fixture
def working_family(world):
    """A family with an assessment, a plan action and a sensitive case note, whose consent covers schools."""
    family = make_family(world, lead=world.lead, taf=[world.partner])
    episode = family["episode"]
    assessment = casework.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    casework.record_assessment(by=world.lead, assessment=assessment, voice_of_child="I miss my friends",
                               analysis="Attendance falls when mum is unwell",
                               findings={"EDUCATION": {"strengths": "", "needs": "Attendance 71%", "score": 2,
                                                       "source_kind": "partner", "source_organisation": world.school}})
    casework.add_case_note(by=world.lead, episode=episode, text="Home visit: talked about the housing arrears",
                           source_kind="family")
    return family


@pytest.fixture
def panel(world, working_family):
    """A panel of the school and the health service, both covered by the working family's consent."""
    give_consent(world.lead, working_family["household"], working_family["members"][1],
                 [OrganisationType.SCHOOL, OrganisationType.HEALTH])
    return make_panel(world, [world.school, world.health])


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.promise("P26", "P8")
def test_a_panel_pack_holds_only_the_chosen_sections_and_is_logged(world, working_family, panel):
    pdf, pack = packs.prepare_panel_pack(
        by=world.lead, household=working_family["household"], panel=panel,
        sections=["household", "assessment"], basis="consent",
        reason="The panel is deciding on extra attendance support")
    text = _pdf_text(pdf)
    assert "Attendance 71%" in text and "Jamie" in text
    assert "housing arrears" not in text  # case notes were not chosen
    assert {(d.kind, tuple(d.sections)) for d in pack.disclosures} == {
        (DisclosureKind.PANEL_PACK, ("assessment", "household"))}


@pytest.mark.promise("P26")
def test_a_panel_pack_with_no_sections_or_beyond_consent_is_refused_and_not_rendered(world, working_family, panel):
    police = Organisation.objects.create(name="Test Police", type=OrganisationType.POLICE)
    with_police = make_panel(world, [world.school, police], name="Police panel")
    before = Disclosure.objects.count()
    for chosen, sections, error in [(panel, [], "Choose what is being shared"),
                                    (with_police, ["plan"], "consent does not cover")]:
        with pytest.raises(ValidationError, match=error):
            packs.prepare_panel_pack(by=world.lead, household=working_family["household"], panel=chosen,
                                     sections=sections, basis="consent", reason="Panel")
    assert Disclosure.objects.count() == before


@pytest.mark.promise("P26")
def test_the_panel_pack_page_returns_the_pdf(client, world, working_family, panel):
    client.force_login(world.lead)
    household = working_family["household"]
    response = client.post(f"/families/{household.pk}/panel-packs/new/", {
        "panel": panel.pk, "sections": ["plan"], "basis": "consent", "reason": "Panel review of the plan"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Attendance 71%" not in _pdf_text(response.content)
    refused = client.post(f"/families/{household.pk}/panel-packs/new/", {
        "panel": panel.pk, "basis": "consent", "reason": "x"})
    assert b"Choose at least one section" in refused.content


@pytest.mark.promise("P7")
def test_a_referral_out_is_a_disclosure_and_needs_what_any_disclosure_needs(world, working_family):
    housing = Organisation.objects.create(name="Test Housing Options", type=OrganisationType.HOUSING)
    episode = working_family["episode"]
    with pytest.raises(ValidationError, match="consent does not cover"):
        casework.refer_out(by=world.lead, episode=episode, organisation=housing, service="Tenancy sustainment",
                           sections=["household"], reason="Rent arrears")
    assert not ReferralOut.objects.exists()
    referral = casework.refer_out(by=world.lead, episode=episode, organisation=world.school, service="Nurture group",
                                  sections=["household", "plan"], reason="Needs a calm start to the day")
    assert (referral.disclosure.kind, referral.disclosure.sections) == (DisclosureKind.REFERRAL, ["household", "plan"])


@pytest.mark.promise("P17")
def test_each_piece_of_information_says_who_gave_it_and_the_family_page_shows_it(client, world, working_family):
    finding = working_family["episode"].assessments.get().findings.get()
    assert (finding.source_kind, finding.source_organisation) == ("partner", world.school)
    with pytest.raises(ValidationError, match="partner organisation"):
        casework.add_case_note(by=world.lead, episode=working_family["episode"], text="From school",
                               source_kind="partner")
    client.force_login(world.lead)
    page = client.get(f"/families/{working_family['household'].pk}/").content.decode()
    assert "Who told us" in page and world.school.name in page


@pytest.mark.promise("P17")
def test_the_report_says_who_gave_information_who_has_it_and_why(client, world, working_family):
    household = working_family["household"]
    report = information_report(household)
    by_source = {s.label: s.what for s in report.sources}
    assert by_source[world.school.name] == {"assessment findings": 1}
    assert by_source["The family"]["case notes"] == 1
    assert by_source["School or college"] == {"referrals to early help": 1}  # the world's referral came by phone
    holders = [who for who, _, _ in report.holders]
    assert holders[0] == "North Early Help" and any(world.school.name in h for h in holders)
    assert {p.code for p in report.purposes} == {"early_help_casework", "multi_agency_sharing"}
    client.force_login(world.lead)
    page = client.get(f"/families/{household.pk}/information/")
    assert page.status_code == 200 and b"Invitation to the Team Around the Family" in page.content


@pytest.mark.promise("P7")
def test_sharing_without_consent_needs_a_stated_reason_even_for_a_manager(world):
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError, match="Enter why you are sharing without consent"):
        casework.add_taf_member(by=world.manager, episode=family["episode"], practitioner=world.partner,
                                basis="safeguarding")
    assert not TafMember.objects.exists()


@pytest.mark.promise("P9")
def test_correcting_consent_keeps_partners_the_corrected_consent_still_covers(world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    parent = family["members"][0]
    consents.correct_consent(by=world.lead, consent_id=family["consent"].pk, subject=parent, given_by=parent,
                             covers_support=True, sharing_partner_types=["school", "health"],
                             evidence_type="signed_form", evidence_reference="Corrected form")
    assert policy.family_access(world.partner, family["household"].pk) is not None


@pytest.fixture
def sensitive_family(world, working_family):
    """The working family, with a health finding, a health plan action, a sensitive note and a held review."""
    episode = working_family["episode"]
    assessment = episode.assessments.get()
    casework.record_assessment(by=world.lead, assessment=assessment, voice_of_child="I miss my friends",
                               analysis="Attendance falls when mum is unwell",
                               findings={"EDUCATION": {"strengths": "", "needs": "Attendance 71%", "score": 2},
                                         "HEALTH": {"strengths": "", "needs": "Mum's depression", "score": 2}})
    casework.add_plan_action(by=world.lead, episode=episode, area_code="HEALTH", need="Mum's depression",
                             action="GP appointment for mum", owner=world.lead, intended_outcome="Seen by GP",
                             due_date=episode.opened_on.replace(year=episode.opened_on.year + 1))
    casework.add_case_note(by=world.lead, episode=episode, text="Disclosed domestic abuse by ex-partner",
                           is_sensitive=True)
    casework.record_review(by=world.lead, review=episode.reviews.get(), held_on=episode.opened_on,
                           summary="Discussed mum's mental health with the family")
    return working_family


ALL_SECTIONS = ["household", "episode", "assessment", "plan", "reviews", "notes"]
SPECIAL_DETAIL = ["Mum's depression", "GP appointment for mum", "domestic abuse by ex-partner",
                  "mental health with the family", "mum is unwell"]


@pytest.mark.promise("P26", "P16")
def test_a_panel_pack_shows_special_category_detail_only_as_a_marker_without_the_grant(world, sensitive_family,
                                                                                       panel):
    pdf, pack = packs.prepare_panel_pack(
        by=world.lead, household=sensitive_family["household"], panel=panel, sections=ALL_SECTIONS, basis="consent",
        reason="Attendance support")
    disclosure = pack.disclosures[0]
    text = " ".join(_pdf_text(pdf).split())
    assert [detail for detail in SPECIAL_DETAIL if detail in text] == []
    assert "Attendance 71%" in text and "housing arrears" in text  # ordinary areas and notes are shown
    assert "not shared with this panel" in text
    assert disclosure.special_category_shared is False


@pytest.mark.promise("P26", "P16")
def test_a_panel_granted_special_category_detail_sees_it_and_the_log_says_so(world, sensitive_family, panel):
    pdf, pack = packs.prepare_panel_pack(
        by=world.lead, household=sensitive_family["household"], panel=panel, sections=ALL_SECTIONS, basis="consent",
        reason="Health support", special_category_shared=True)
    text = " ".join(_pdf_text(pdf).split())
    assert [detail for detail in SPECIAL_DETAIL if detail not in text] == []
    assert [Disclosure.objects.get(pk=d.pk).special_category_shared for d in pack.disclosures] == [True, True]


@pytest.mark.promise("P26", "P16")
def test_the_panel_pack_page_and_api_pass_on_the_grant_only_when_it_is_given(client, world, sensitive_family,
                                                                             panel):
    client.force_login(world.lead)
    household = sensitive_family["household"]
    form = {"panel": panel.pk, "sections": ["notes"], "basis": "consent", "reason": "Panel"}
    without = client.post(f"/families/{household.pk}/panel-packs/new/", form)
    granted = client.post(f"/families/{household.pk}/panel-packs/new/", {**form, "special_category_shared": "on"})
    assert "domestic abuse by ex-partner" not in _pdf_text(without.content)
    assert "domestic abuse by ex-partner" in " ".join(_pdf_text(granted.content).split())
    api = client.post(f"/api/families/{household.pk}/panel-packs", {
        "panel_id": panel.pk, "sections": ["notes"], "reason": "Panel", "special_category_shared": True},
        content_type="application/json")
    assert api.status_code == 201
    logged = list(Disclosure.objects.filter(kind=DisclosureKind.PANEL_PACK).order_by("pk")
                  .values_list("special_category_shared", flat=True))
    assert logged == [False, False, True, True, True, True]  # one disclosure per member of the panel, per pack
