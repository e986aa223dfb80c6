"""Restriction (P19): a restricted record is read-only, out of routine lists, every read audited; lifting is
recorded, not deleted."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import restrictions
from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import selectors as casework_selectors
from earlyhelp.casework.lists import rows as casework_lists
from earlyhelp.casework import services as casework
from earlyhelp.people import selectors as people_selectors
from earlyhelp.people import services as people
from earlyhelp.people.models import Membership, Person
from earlyhelp.rights import services
from earlyhelp.rights.models import Outcome, ProcessingRestriction
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]


@pytest.fixture
def restricted(world, family, log):
    """Sam (the father) asked for use of his record to be restricted while its accuracy is checked."""
    father = family["members"][1]
    request = log(kind="restriction", subject=father, requester_name="Sam Testfamily")
    services.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED,
                    reason="Accuracy contested: restricted while we check the referral's details")
    return ProcessingRestriction.objects.get(person=father)


def test_an_approved_restriction_starts_on_the_persons_record(world, family, restricted):
    assert restricted.is_active and restricted.started_by == world.dpo
    assert restrictions.person_is_restricted(family["members"][1].pk)
    assert restrictions.household_is_restricted(family["household"].pk)
    assert not restrictions.person_is_restricted(family["members"][0].pk)


def test_the_persons_record_is_read_only(world, family, restricted):
    mother, father, child, _ = family["members"]
    attempts = [
        lambda: people.update_person(by=world.lead, person=father, preferred_name="Sammy"),
        lambda: people.record_identifier(by=world.lead, person=father, scheme="ni", raw_value="AB123456C"),
        lambda: people.move_address(by=world.lead, person=father, line_1="9 Away Road", town="Testtown",
                                    postcode="SW1A 2AA", valid_from=timezone.localdate()),
        lambda: people.relate(by=world.lead, person=father, related_person=child, relationship="parent"),
        lambda: people.end_membership(by=world.lead, membership=Membership.objects.get(person=father),
                                      end_date=timezone.localdate()),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="restricted at the person's request") as caught:
            attempt()
        assert "Sam" not in str(caught.value)  # no personal data in the error
    father.refresh_from_db()
    assert father.preferred_name == "" and not father.identifiers.filter(scheme="ni").exists()


def test_the_current_familys_case_record_is_read_only(world, family, restricted):
    episode = family["episode"]
    mother = family["members"][0]
    attempts = [
        lambda: casework.add_case_note(by=world.lead, episode=episode, text="Home visit"),
        lambda: casework.start_assessment(by=world.lead, episode=episode, reason="Needs"),
        lambda: casework.allocate(by=world.manager, episode=episode, practitioner=world.teammate),
        lambda: casework.request_closure(by=world.lead, episode=episode, reason="outcomes_met", summary="Done",
                                         feedback_declined=True),
        lambda: people.update_person(by=world.lead, person=mother, preferred_name="Al"),  # not restricted, so works
    ]
    for attempt in attempts[:-1]:
        with pytest.raises(ValidationError, match="restricted"):
            attempt()
    assert not episode.notes.exists() and not episode.assessments.exists()
    with pytest.raises(ValidationError, match="restricted"):
        casework.record_contact(by=world.front_door, household=family["household"], subject=mother,
                                team=world.north, channel="phone", source="school", reason="Attendance",
                                consent_at_referral="given")
    attempts[-1]()  # the mother's own record is not restricted


def test_another_family_of_an_unrestricted_member_is_unaffected(world, family, restricted):
    other = make_family(world, lead=world.lead, family_name="Otherfamily", seed=9)
    assert casework.add_case_note(by=world.lead, episode=other["episode"], text="Phone call").pk


def test_a_correction_under_a_rights_request_may_still_change_the_restricted_record(world, family, restricted, log):
    father = family["members"][1]
    rectification = log(kind="rectification", subject=father, requester_name="Sam Testfamily")
    services.apply_corrections(by=world.dpo, request=rectification, changes={"date_of_birth": datetime.date(1983, 7, 10)})
    father.refresh_from_db()
    assert father.date_of_birth == datetime.date(1983, 7, 10)
    with pytest.raises(ValidationError, match="restricted"):  # the permission ended with the correction
        people.update_person(by=world.lead, person=father, preferred_name="Sammy")


def test_the_person_is_left_out_of_search_results(world, family, restricted):
    outcome = people_selectors.search_people(world.front_door, family_name="Testfamily", given_name="Sam",
                                             date_of_birth=datetime.date(1983, 7, 9))
    ids = {r.person_id for r in outcome.results}
    assert family["members"][1].pk not in ids and outcome.restricted_match
    others = people_selectors.search_people(world.front_door, family_name="Testfamily", given_name="Alex")
    assert family["members"][0].pk in {r.person_id for r in others.results}


def test_the_family_is_left_out_of_dashboards_and_caseload_counts(world, family, restricted):
    other = make_family(world, lead=world.lead, family_name="Otherfamily", seed=9)
    board = casework_selectors.dashboard_for(world.lead)
    assert [e.household_id for e in casework_lists.families(world.lead, casework_lists.FamilyList.MINE)] == [
        other["household"].pk]
    assert dict(board.families)[casework_lists.FamilyList.MINE] == 1 and board.reviews == 1
    assert board.restricted_families == 1
    manager_board = casework_selectors.dashboard_for(world.manager)
    assert dict(manager_board.caseload)["Allocated, assessment not started"] == 1
    assert manager_board.reviews == 1
    assert all(r.episode.household_id != family["household"].pk for r in casework_lists.reviews(world.manager))


def test_matching_and_statistics_can_leave_restricted_people_out(world, family, restricted):
    father = family["members"][1]
    assert list(restrictions.restricted_person_ids().values_list("person_id", flat=True)) == [father.pk]
    people_left = restrictions.without_restricted(Person.objects.all(), person="pk")
    assert father.pk not in set(people_left.values_list("pk", flat=True))
    assert family["members"][0].pk in set(people_left.values_list("pk", flat=True))
    memberships = restrictions.without_restricted(Membership.objects.all(), household="household")
    assert not memberships.filter(household=family["household"]).exists()


def test_every_read_of_the_restricted_record_is_audited_as_restricted(world, family, restricted, client):
    client.force_login(world.lead)
    family_page = client.get(reverse("web:family", args=[family["household"].pk]))
    assert family_page.status_code == 200
    view = AuditEvent.objects.filter(event="household.view", actor=world.lead).last()
    assert view.metadata["processing_restricted"] is True
    person_page = client.get(reverse("web:person", args=[family["members"][1].pk])).content.decode()
    assert "Use of this record is restricted" in person_page
    person_view = AuditEvent.objects.filter(event="person.view", actor=world.lead).last()
    assert person_view.metadata["processing_restricted"] is True
    other = make_family(world, lead=world.lead, family_name="Otherfamily", seed=9)
    client.get(reverse("web:family", args=[other["household"].pk]))
    assert "processing_restricted" not in AuditEvent.objects.filter(event="household.view").last().metadata


def test_lifting_is_recorded_not_deleted(world, family, restricted):
    father = family["members"][1]
    with pytest.raises(ValidationError) as caught:
        services.lift_restriction(by=world.dpo, restriction=restricted, reason="", person_told_on=None)
    assert set(caught.value.message_dict) == {"reason", "person_told_on"}
    lifted = services.lift_restriction(by=world.dpo, restriction=restricted, reason="Details checked: accurate",
                                       person_told_on=timezone.localdate())
    assert not lifted.is_active and lifted.lifted_by == world.dpo
    assert ProcessingRestriction.objects.filter(pk=restricted.pk).exists()
    assert not restrictions.person_is_restricted(father.pk)
    people.update_person(by=world.lead, person=father, preferred_name="Sammy")
    with pytest.raises(ValidationError, match="already been lifted"):
        services.lift_restriction(by=world.dpo, restriction=lifted, reason="Again", person_told_on=timezone.localdate())
    assert AuditEvent.objects.filter(event="processing_restriction.lift", purpose="rights_requests").count() == 1


def test_a_person_has_one_active_restriction(world, family, restricted, log):
    again = log(kind="restriction", subject=family["members"][1], requester_name="Sam Testfamily")
    with pytest.raises(ValidationError, match="already restricted"):
        services.decide(by=world.dpo, request=again, outcome=Outcome.COMPLIED, reason="Asked again")
