"""The person-name rule and NFC for people (issue 16): every door gets them, since the service and the model apply
them on save; the phonetic key is the same however an accented name was typed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.people import services
from earlyhelp.people.forms import PersonForm
from earlyhelp.people.models import Person

BORN = datetime.date(2015, 3, 27)


def test_a_name_typed_decomposed_is_kept_in_nfc_with_the_same_phonetic_key(world):
    composed = services.create_person(by=world.front_door, given_name="Zoë", family_name="Nguyễn", date_of_birth=BORN)
    decomposed = services.create_person(by=world.front_door, given_name="Zoe\u0308",
                                        family_name="Nguye\u0302\u0303n", date_of_birth=BORN)
    decomposed.refresh_from_db()
    assert (decomposed.given_name, decomposed.family_name) == ("Zoë", "Nguyễn")
    assert (decomposed.given_name_key, decomposed.family_name_key) == (composed.given_name_key,
                                                                       composed.family_name_key)


@pytest.mark.parametrize("field, value, message", [
    ("given_name", "Sam\u202e", "Given name must not include hidden formatting characters"),
    ("family_name", "=cmd|' /C calc'!A0", "Family name must only include letters, spaces, hyphens, apostrophes"),
    ("family_name", "Smith\u200b", "Family name must not include hidden formatting characters"),
    ("given_name", "Sam\x07", "Given name must only include letters, numbers, spaces and punctuation"),
])
def test_the_service_refuses_a_bad_name_against_its_field_and_saves_nothing(world, field, value, message):
    before = Person.objects.count()
    names = {"given_name": "Sam", "family_name": "Smith", field: value}
    with pytest.raises(ValidationError) as refused:
        services.create_person(by=world.front_door, date_of_birth=BORN, **names)
    assert refused.value.message_dict[field][0].startswith(message)
    assert Person.objects.count() == before


def test_a_correction_is_held_to_the_same_rule(world):
    person = services.create_person(by=world.front_door, given_name="Sam", family_name="Smith", date_of_birth=BORN)
    with pytest.raises(ValidationError) as refused:
        services.update_person(by=world.front_door, person=person, preferred_name="Sammy2")
    assert list(refused.value.message_dict) == ["preferred_name"]
    person.refresh_from_db()
    assert person.preferred_name == ""


def test_the_model_refuses_a_bad_name_from_any_other_door(world):
    with pytest.raises(ValidationError), transaction.atomic():
        Person.objects.create(given_name="Sam", family_name="Smi\u202eth", date_of_birth=BORN)
    with pytest.raises(ValidationError), transaction.atomic():
        Person.objects.bulk_create([Person(given_name="Sam1", family_name="Smith", date_of_birth=BORN)])
    assert not Person.objects.filter(given_name__startswith="Sam").exists()


def test_the_person_form_says_what_to_change():
    form = PersonForm({"given_name": "Jean-Luc", "family_name": "O'Brien2", "preferred_name": "Zo\u200bë",
                       "gender": "not_stated", "date_of_birth_day": "27", "date_of_birth_month": "3",
                       "date_of_birth_year": "2015"})
    assert not form.is_valid()
    assert form.errors["family_name"] == ["Family name must only include letters, spaces, hyphens, apostrophes and "
                                          "full stops"]
    assert form.errors["preferred_name"][0].startswith("Preferred name must not include hidden formatting")
    assert "given_name" not in form.errors
