"""The people services that make several changes at once: each is all or nothing, and audited inside."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from earlyhelp.people import services
from earlyhelp.people.models import Household, MemberRole, Person, Relationship
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db

ADDRESS = {"line_1": "1 High Street", "line_2": "", "town": "Testtown", "postcode": "ab1 2de"}


def _details(**changes):
    return {"given_name": "Kit", "family_name": "Newfamily", "date_of_birth": datetime.date(2016, 5, 4), **changes}


def test_a_new_persons_address_starts_on_their_date_of_birth(world):
    person = services.create_person_with_address(by=world.front_door, **_details(address=ADDRESS))
    address = person.addresses.get()
    assert address.valid_from == datetime.date(2016, 5, 4) and address.postcode == "AB1 2DE"
    assert not services.create_person_with_address(by=world.front_door, **_details(given_name="Lou")).addresses.exists()


def test_a_bad_address_leaves_no_person_behind(world):
    with pytest.raises(ValidationError, match="postcode"):
        services.create_person_with_address(by=world.front_door, **_details(address={**ADDRESS, "postcode": "NOPE"}))
    assert not Person.objects.exists()


@pytest.mark.parametrize("born, role", [
    ({"date_of_birth": datetime.date(2016, 5, 4)}, MemberRole.CHILD),
    ({"date_of_birth": datetime.date(1990, 5, 4)}, MemberRole.PARENT_CARER),
    ({"date_of_birth": None, "expected_date_of_birth": timezone.localdate() + datetime.timedelta(days=60)},
     MemberRole.UNBORN),
])
def test_a_person_new_to_us_starts_a_family_of_their_own_in_the_role_their_age_gives(world, born, role):
    person = services.create_person_in_new_family(by=world.front_door, **_details(**born))
    membership = person.memberships.get()
    assert membership.role == role
    assert membership.start_date == (person.date_of_birth or person.created_at.date())


def test_a_new_family_is_not_created_for_a_person_who_cannot_be(world):
    with pytest.raises(ValidationError):
        services.create_person_in_new_family(by=world.front_door, **_details(given_name=" "))
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_family_member_is_added_with_their_relationship_to_a_member(world):
    family = make_family(world, with_episode=False)
    household, brother = family["household"], family["members"][2]
    baby = services.add_family_member(by=world.front_door, household=household, role=MemberRole.CHILD,
                                      start_date=datetime.date(2024, 2, 1), new_person=_details(given_name="Robin"),
                                      related_to=brother, relationship="sibling")
    assert household.memberships.get(person=baby).start_date == datetime.date(2024, 2, 1)
    assert Relationship.objects.get(person=baby).related_person == brother
    found = services.create_person(by=world.front_door, given_name="Pat", family_name="Elderly",
                                   date_of_birth=datetime.date(1950, 1, 1))
    services.add_family_member(by=world.front_door, household=household, role=MemberRole.OTHER_ADULT,
                               start_date=datetime.date(2024, 3, 1), person=found, related_to=brother)
    assert household.memberships.filter(person=found).exists()
    assert not Relationship.objects.filter(person=found).exists()  # no relationship was given


def test_a_member_whose_relationship_cannot_be_recorded_is_not_added_either(world, monkeypatch):
    family = make_family(world, with_episode=False)
    household, brother = family["household"], family["members"][2]

    def refused(**_):
        raise ValidationError("The relationship cannot be recorded")

    monkeypatch.setattr(services, "relate", refused)
    with pytest.raises(ValidationError, match="cannot be recorded"):
        services.add_family_member(by=world.front_door, household=household, role=MemberRole.CHILD,
                                   start_date=datetime.date(2024, 2, 1), new_person=_details(given_name="Robin"),
                                   related_to=brother, relationship="sibling")
    assert not Person.objects.filter(given_name="Robin").exists() and household.memberships.count() == 4


def test_either_the_person_found_or_a_new_person_is_added(world):
    family = make_family(world, with_episode=False)
    for who in ({}, {"person": family["members"][0], "new_person": _details()}):
        with pytest.raises(TypeError):
            services.add_family_member(by=world.front_door, household=family["household"], role=MemberRole.CHILD,
                                       start_date=datetime.date(2024, 2, 1), **who)
