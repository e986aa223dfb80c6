"""Eligibility and the shortlist: the council's rule on its edges, and a person deciding each family (P13)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.people import services as people
from earlyhelp.people.models import MemberRole
from earlyhelp.privacy.models import Suggestion, SuggestionStatus
from earlyhelp.programme.models import Descriptor, EligibilityCounting, HeadlineArea, Need, ProgrammeRules
from earlyhelp.programme.services import needs as need_services
from earlyhelp.supporting_families.models import ProgrammeFamily
from earlyhelp.supporting_families.services import shortlist
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import Outcome, RequestKind
from earlyhelp.testing.everywhere import rights_request
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P13")]

TODAY = datetime.date(2026, 3, 1)


def descriptor(area_code, index=0):
    return Descriptor.objects.filter(area__code=area_code, version__is_current=True, is_active=True) \
        .order_by("order", "pk")[index]


def add_need(world, household, area_code, index=0):
    return need_services.record_need(by=world.lead, household_id=household.pk, episode_id=None, person=None,
                                     descriptor_id=descriptor(area_code, index).pk, evidence="Seen at a visit")


def adults_only(world, family_name="Adultsonly"):
    """A family of two adults and nobody else: the tests add the dependant they need."""
    household = people.create_household(by=world.front_door)
    for given in ("Morgan", "Casey"):
        person = people.create_person(by=world.front_door, given_name=given, family_name=family_name,
                                      date_of_birth=datetime.date(1980, 1, 1))
        people.add_member(by=world.front_door, household=household, person=person, role=MemberRole.PARENT_CARER,
                          start_date=datetime.date(2020, 1, 1))
    return household


def add_child(world, household, **dates):
    person = people.create_person(by=world.front_door, given_name="Kit", family_name="Adultsonly", **dates)
    role = MemberRole.UNBORN if "expected_date_of_birth" in dates else MemberRole.CHILD
    people.add_member(by=world.front_door, household=household, person=person, role=role,
                      start_date=datetime.date(2020, 1, 1))
    return person


def screened(household):
    found = [s for s in shortlist.screen([household.pk], today=TODAY)]
    return found[0] if found else None


# --- The rule on its edges -------------------------------------------------------------------------------

def test_exactly_the_minimum_headlines_meets_the_rule_and_one_fewer_does_not(world):
    household = make_family(world, with_episode=False)["household"]
    add_need(world, household, "EDUCATION")
    add_need(world, household, "HEALTH")
    assert not screened(household).meets_rule
    add_need(world, household, "HOUSING")
    assert screened(household).meets_rule
    assert screened(household).headlines == ("EDUCATION", "HEALTH", "HOUSING")


def test_needs_in_one_headline_count_once_unless_the_rule_counts_descriptors(world):
    household = make_family(world, with_episode=False)["household"]
    for index in range(3):
        add_need(world, household, "EDUCATION", index)
    assert not screened(household).meets_rule
    rules = ProgrammeRules.current()
    rules.counting = EligibilityCounting.DESCRIPTORS
    rules.save()
    assert screened(household).meets_rule
    assert "3 descriptors" in screened(household).why


def test_a_child_one_day_short_of_18_is_a_dependant_and_one_18_today_is_not(world):
    younger, older = adults_only(world), adults_only(world, "Otherfamily")
    add_child(world, younger, date_of_birth=datetime.date(2008, 3, 2))  # 17 years 364 days on 1 March 2026
    add_child(world, older, date_of_birth=datetime.date(2008, 3, 1))  # 18 today
    for household in (younger, older):
        for area in ("EDUCATION", "HEALTH", "HOUSING"):
            add_need(world, household, area)
    assert ProgrammeRules.current().dependent_child_under == 18
    assert screened(younger).meets_rule and screened(younger).has_dependant
    assert not screened(older).meets_rule
    assert "no dependent child or expectant parent" in screened(older).why


def test_an_expectant_parent_counts_and_a_family_with_no_dependant_is_not_eligible(world):
    expecting, nobody = adults_only(world), adults_only(world, "Otherfamily")
    add_child(world, expecting, expected_date_of_birth=timezone.localdate() + datetime.timedelta(days=60))
    for household in (expecting, nobody):
        for area in ("EDUCATION", "HEALTH", "HOUSING", "FINANCE"):
            add_need(world, household, area)
    assert screened(expecting).meets_rule
    assert not screened(nobody).meets_rule


def test_withdrawn_needs_do_not_count(world):
    household = make_family(world, with_episode=False)["household"]
    add_need(world, household, "EDUCATION")
    add_need(world, household, "HEALTH")
    wrong = add_need(world, household, "HOUSING")
    assert screened(household).meets_rule
    need_services.withdraw_need(by=world.lead, need_id=wrong.pk, reason="Another family's need")
    assert not screened(household).meets_rule


def eligible_family(world, **kwargs):
    household = make_family(world, with_episode=False, **kwargs)["household"]
    for area in ("EDUCATION", "HEALTH", "HOUSING"):
        add_need(world, household, area)
    return household


def restrict(world, person):
    """A restriction of the person's processing (UK GDPR Article 18), as the data protection officer records it."""
    request = rights_request(world, person, RequestKind.RESTRICTION)
    rights.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="Accuracy contested")


def test_a_restricted_family_is_never_proposed_nor_listed(client, world):
    household = eligible_family(world)
    proposals = shortlist.propose_shortlist(today=TODAY)
    assert [p.household_id for p in proposals] == [household.pk]
    restrict(world, household.memberships.first().person)
    assert shortlist.screen([household.pk], today=TODAY) == []
    assert not shortlist.pending_proposals().exists()
    client.force_login(world.data_team)
    page = client.get(reverse("programme:shortlist")).content.decode()
    assert household.reference not in page
    assert client.get(reverse("programme:shortlist-decide", args=[proposals[0].pk])).status_code == 404


def test_a_rejected_family_is_not_proposed_again_for_the_same_needs_but_is_for_a_new_headline(world):
    household = eligible_family(world)
    (proposal,) = shortlist.propose_shortlist(today=TODAY)
    shortlist.decide_eligibility(by=world.data_team, suggestion_id=proposal.pk, accept=False,
                                 reason="Already supported by another programme")
    assert shortlist.propose_shortlist(today=TODAY) == []
    add_need(world, household, "FINANCE")
    (again,) = shortlist.propose_shortlist(today=TODAY)
    assert again.pk != proposal.pk and "FINANCE" in shortlist.headlines_of(again)


def test_a_family_on_the_programme_is_not_proposed(world):
    eligible_family(world)
    (proposal,) = shortlist.propose_shortlist(today=TODAY)
    shortlist.decide_eligibility(by=world.data_team, suggestion_id=proposal.pk, accept=True, reason="Meets the rule",
                                 comparison_group=False)
    assert shortlist.propose_shortlist(today=TODAY) == []
    assert not shortlist.pending_proposals().exists()


# --- Deciding -------------------------------------------------------------------------------------------------

def test_accepting_into_the_comparison_group_records_it_with_the_headlines_met(world):
    household = eligible_family(world)
    (proposal,) = shortlist.propose_shortlist(today=TODAY)
    family = shortlist.decide_eligibility(by=world.data_team, suggestion_id=proposal.pk, accept=True,
                                          reason="National Impact Study sample", comparison_group=True)
    family.refresh_from_db()
    assert family.household_id == household.pk and family.comparison_group
    assert family.criteria_met == ["EDUCATION", "HEALTH", "HOUSING"]
    assert family.decided_by == world.data_team
    assert AuditEvent.objects.filter(event="programme_family.group", household_id=household.pk).exists()


def test_accepting_needs_a_group_and_a_reason_and_nothing_is_written_without(world):
    eligible_family(world)
    (proposal,) = shortlist.propose_shortlist(today=TODAY)
    with pytest.raises(ValidationError) as missing_group:
        shortlist.decide_eligibility(by=world.data_team, suggestion_id=proposal.pk, accept=True, reason="Yes")
    assert shortlist.CHOOSE_GROUP in str(missing_group.value)
    with pytest.raises(ValidationError):
        shortlist.decide_eligibility(by=world.data_team, suggestion_id=proposal.pk, accept=True, reason=" ",
                                     comparison_group=False)
    assert not ProgrammeFamily.objects.exists()
    assert Suggestion.objects.get(pk=proposal.pk).status == SuggestionStatus.PENDING


def test_a_role_that_does_not_run_the_programme_cannot_decide(world):
    from django.core.exceptions import PermissionDenied

    eligible_family(world)
    (proposal,) = shortlist.propose_shortlist(today=TODAY)
    with pytest.raises(PermissionDenied):
        shortlist.decide_eligibility(by=world.manager, suggestion_id=proposal.pk, accept=True, reason="Yes",
                                     comparison_group=False)


# --- The pages ------------------------------------------------------------------------------------------------

def test_screening_from_the_page_lists_the_family_with_why_who_and_the_episode(client, world):
    household = make_family(world, lead=world.lead)["household"]
    for area in ("EDUCATION", "HEALTH", "HOUSING"):
        add_need(world, household, area)
    client.force_login(world.data_team)
    response = client.post(reverse("programme:shortlist"), follow=True)
    page = response.content.decode()
    assert "1 new on the shortlist" in page
    assert household.reference in page and "Alex Testfamily" in page and "Jamie Testfamily" in page
    assert HeadlineArea.objects.get(code="HOUSING").label in page
    assert "Lead: Lead Tester" in page
    viewed = AuditEvent.objects.filter(action=Action.VIEW, event="shortlist.view", actor=world.data_team).last()
    assert viewed.purpose == "supporting_families_returns"


def test_the_shortlist_filters_by_headline_and_pages(client, world):
    first, second = eligible_family(world, seed=1), make_family(world, with_episode=False, seed=2,
                                                                family_name="Otherfamily")["household"]
    for area in ("EDUCATION", "HEALTH", "FINANCE"):
        add_need(world, second, area)
    shortlist.propose_shortlist()
    client.force_login(world.data_team)
    page = client.get(reverse("programme:shortlist"), {"headline": "FINANCE", "sort": "reference"}).content.decode()
    assert second.reference in page and first.reference not in page
    page = client.get(reverse("programme:shortlist"), {"sort": "newest", "page": "99"}).content.decode()
    assert first.reference in page and second.reference in page


def test_deciding_on_the_page_puts_the_family_on_the_programme_list(client, world):
    household = eligible_family(world)
    (proposal,) = shortlist.propose_shortlist()
    client.force_login(world.data_team)
    url = reverse("programme:shortlist-decide", args=[proposal.pk])
    refused = client.post(url, {"decision": "comparison", "reason": ""})
    assert "Enter the reason for your decision" in refused.content.decode()
    client.post(url, {"decision": "comparison", "reason": "Meets the rule"})
    assert ProgrammeFamily.objects.get(household=household).comparison_group
    page = client.get(reverse("programme:families"), {"group": "comparison"}).content.decode()
    assert household.reference in page and "Comparison group" in page
    page = client.get(reverse("programme:families"), {"group": "support"}).content.decode()
    assert household.reference not in page


def test_the_shortlist_pages_refuse_other_roles_with_an_audited_404(client, world):
    eligible_family(world)
    (proposal,) = shortlist.propose_shortlist()
    client.force_login(world.manager)
    assert client.get(reverse("programme:shortlist-decide", args=[proposal.pk])).status_code == 404
    assert client.post(reverse("programme:shortlist")).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.manager).count() == 2
    assert Need.objects.count() == 3
