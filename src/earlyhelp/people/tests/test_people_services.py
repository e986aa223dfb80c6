import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.people import identifiers, selectors, services
from earlyhelp.people.models import Household, Membership, Person
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def _person(world, **kwargs):
    defaults = {"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": datetime.date(2012, 2, 3)}
    return services.create_person(by=world.front_door, **{**defaults, **kwargs})


@pytest.mark.parametrize("scheme, raw, code_fragment", [
    ("nhs", "9434765918", "check digit"),
    ("nhs", "12345", "10 digits"),
    ("ni", "AB123456Z", "last letter"),
    ("ni", "DA123456A", "cannot start with D"),
    ("upn", "A80120000100", "13 characters"),
])
def test_invalid_identifier_is_refused_with_a_specific_message_and_nothing_is_written(world, scheme, raw,
                                                                                      code_fragment):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        _person(world, identifier_values={scheme: raw})
    assert code_fragment in " ".join(caught.value.message_dict[f"identifier_{scheme}"])
    assert Person.objects.count() == before


def test_identifier_already_held_by_someone_else_is_refused(world):
    nhs = identifiers.make_nhs_number(random.Random(5))
    _person(world, identifier_values={"nhs": nhs})
    with pytest.raises(ValidationError, match="already recorded"):
        _person(world, given_name="Other", identifier_values={"nhs": nhs})


def test_identifiers_are_stored_normalised(world):
    person = _person(world, identifier_values={"nhs": "943 476 5919", "ni": "ab 12 34 56 c"})
    assert dict(person.identifiers.values_list("scheme", "value")) == {"nhs": "9434765919", "ni": "AB123456C"}


def test_date_of_birth_in_the_future_is_refused(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="today or in the past"):
        _person(world, date_of_birth=tomorrow)


def test_unborn_child_has_an_expected_date_and_not_a_date_of_birth(world):
    due = timezone.localdate() + datetime.timedelta(days=60)
    unborn = _person(world, date_of_birth=None, expected_date_of_birth=due)
    assert unborn.is_unborn
    with pytest.raises(ValidationError, match="not both"):
        _person(world, expected_date_of_birth=due)


def test_membership_cannot_end_before_it_starts_in_the_service_or_the_database(world):
    household = services.create_household(by=world.front_door)
    person = _person(world)
    with pytest.raises(ValidationError, match="same as or after"):
        services.add_member(by=world.front_door, household=household, person=person, role="child",
                            start_date=datetime.date(2020, 5, 1), end_date=datetime.date(2020, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(household=household, person=person, role="child",
                                  start_date=datetime.date(2020, 5, 1), end_date=datetime.date(2020, 4, 1))


@pytest.mark.promise("P5")
def test_moving_house_keeps_the_old_address_as_history(world):
    person = _person(world)
    services.move_address(by=world.front_door, person=person, line_1="1 Old Road", town="Leeds", postcode="ls1 1aa",
                          valid_from=datetime.date(2015, 1, 1))
    services.move_address(by=world.front_door, person=person, line_1="2 New Road", town="Leeds", postcode="LS2 2BB",
                          valid_from=datetime.date(2020, 6, 1))
    old, new = person.addresses.order_by("valid_from")
    assert old.valid_to == datetime.date(2020, 5, 31) and new.valid_to is None
    assert old.postcode == "LS1 1AA"
    with pytest.raises(ValidationError, match="postcode"):
        services.move_address(by=world.front_door, person=person, line_1="3 Road", town="Leeds", postcode="NOT A PC",
                              valid_from=datetime.date(2021, 1, 1))


@pytest.mark.promise("P5")
def test_changes_to_a_person_keep_history(world):
    person = _person(world)
    services.update_person(by=world.lead, person=person, family_name="Bloggs-Smith")
    assert list(person.history.order_by("history_date").values_list("family_name", flat=True)) == [
        "Bloggs", "Bloggs-Smith"]


def test_relationship_records_parental_responsibility(world):
    parent, child = _person(world, given_name="Pat", date_of_birth=datetime.date(1980, 1, 1)), _person(world)
    rel = services.relate(by=world.lead, person=parent, related_person=child, relationship="parent",
                          has_parental_responsibility=True)
    assert rel.has_parental_responsibility
    with pytest.raises(ValidationError):
        services.relate(by=world.lead, person=child, related_person=child, relationship="sibling")


@pytest.mark.promise("P2")
class TestSearchFirst:
    def test_finds_typos_and_phonetic_variants_with_the_date_of_birth(self, world):
        make_family(world, family_name="Smith", lead=world.lead)
        outcome = selectors.search_people(world.front_door, family_name="Smyth", given_name="Jamey",
                                          date_of_birth=datetime.date(2014, 5, 6))
        assert [r.name for r in outcome.results][:1] == ["Jamie Smith"]

    def test_finds_a_changed_surname_by_date_of_birth_and_given_name(self, world):
        make_family(world, family_name="Okafor")
        outcome = selectors.search_people(world.front_door, family_name="Jones", given_name="Riley",
                                          date_of_birth=datetime.date(2017, 11, 12))
        assert "Riley Okafor" in [r.name for r in outcome.results]

    def test_finds_day_and_month_swapped(self, world):
        make_family(world, family_name="Patel")
        outcome = selectors.search_people(world.front_door, family_name="Patel", given_name="Jamie",
                                          date_of_birth=datetime.date(2014, 6, 5))
        assert "Jamie Patel" in [r.name for r in outcome.results]

    def test_finds_by_identifier_in_any_format(self, world):
        family = make_family(world, family_name="Nguyen")
        nhs = family["members"][0].identifiers.get(scheme="nhs").value
        spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
        outcome = selectors.search_people(world.front_door, identifier=spaced)
        assert [r.person_id for r in outcome.results] == [family["members"][0].pk]

    def test_results_show_only_the_minimum(self, world):
        make_family(world, family_name="Minimal")
        result = selectors.search_people(world.front_door, family_name="Minimal", given_name="Alex").results[0]
        assert result.postcode_district == "SW1A"
        assert result.household_id is None  # the front door cannot open family records

    def test_restricted_family_is_not_described_to_people_without_access(self, world):
        make_family(world, family_name="Hidden", lead=world.lead, restricted=True)
        outcome = selectors.search_people(world.front_door, family_name="Hidden", given_name="Alex")
        assert outcome.results == [] and outcome.restricted_match
        seen_by_lead = selectors.search_people(world.lead, family_name="Hidden", given_name="Alex")
        assert seen_by_lead.results and seen_by_lead.results[0].household_id is not None

    def test_needs_enough_to_search_on(self, world):
        with pytest.raises(ValidationError):
            selectors.search_people(world.front_door, family_name="Smith")

    def test_partners_and_data_team_cannot_search(self, world):
        for user in (world.partner, world.data_team, world.dpo):
            with pytest.raises(PermissionDenied):
                selectors.search_people(user, family_name="Smith", given_name="Jo")


def test_household_references_are_unique_and_sequential(world):
    first, second = services.create_household(by=world.front_door), services.create_household(by=world.front_door)
    assert first.reference != second.reference
    assert Household.objects.filter(reference=first.reference).count() == 1


def test_a_common_surname_does_not_crowd_out_the_person_with_the_right_date_of_birth(world):
    from earlyhelp.people.services import name_key

    Person.objects.bulk_create(
        Person(given_name=f"Other{name_suffix(i)}", family_name="Davies", date_of_birth=datetime.date(1990, 1, 1)
               + datetime.timedelta(days=i), family_name_key=name_key("Davies"), given_name_key=name_key(f"Other{name_suffix(i)}"))
        for i in range(selectors.MAX_CANDIDATES + 50))
    family = make_family(world, family_name="Davies", seed=9)
    outcome = selectors.search_people(world.front_door, family_name="Davies",
                                      date_of_birth=datetime.date(2017, 11, 12))
    assert outcome.results[0].person_id == family["members"][3].pk


def test_the_required_name_rule_names_each_blank_name(world):
    assert services.missing_names(given_name=" ", family_name="Bloggs") == {"given_name": "Enter a given name"}
    assert services.missing_names(family_name=None) == {"family_name": "Enter a family name"}
    assert services.missing_names(given_name="Jo", family_name="Bloggs") == {}
    with pytest.raises(ValidationError) as caught:
        _person(world, family_name="  ")
    assert caught.value.message_dict == {"given_name": ["Enter a given name"], "family_name": ["Enter a family name"]}
