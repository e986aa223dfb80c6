"""Team Around the Family invitations, referrals out and panel packs go through the disclosure log (P7, P8, P9)."""

import pytest
from django.core.exceptions import ValidationError

from earlyhelp.access import policy
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import TafMember
from earlyhelp.organisations.models import OrganisationType
from earlyhelp.privacy import consent as consents
from earlyhelp.privacy.models import Disclosure, DisclosureKind
from earlyhelp.testing.world import give_consent, make_family

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
