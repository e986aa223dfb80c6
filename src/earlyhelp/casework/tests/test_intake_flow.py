"""The front door journey through the pages, with the test client (the browser journey is in tests/browser)."""

import pytest
from django.urls import reverse

from earlyhelp.casework.models import Contact
from earlyhelp.people.models import Person
from earlyhelp.testing.world import make_family

SEARCH = {"family_name": "Newfamily", "given_name": "Kit", "date_of_birth_day": "4", "date_of_birth_month": "5",
          "date_of_birth_year": "2016"}
PERSON = {"given_name": "Kit", "family_name": "Newfamily", "date_of_birth_day": "4", "date_of_birth_month": "5",
          "date_of_birth_year": "2016", "gender": "female", "line_1": "1 High Street", "town": "Testtown",
          "postcode": "AB1 2DE"}


def test_a_new_person_can_only_be_created_after_a_search(client, world):
    client.force_login(world.front_door)
    response = client.get(reverse("web:contact-new-person"))
    assert response.status_code == 302 and response["Location"] == reverse("web:contact-new")
    client.post(reverse("web:contact-new"), SEARCH)
    assert client.get(reverse("web:contact-new-person")).status_code == 200


def test_front_door_records_a_contact_for_a_new_family(client, world):
    client.force_login(world.front_door)
    client.post(reverse("web:contact-new"), SEARCH)
    response = client.post(reverse("web:contact-new-person"), PERSON)
    person = Person.objects.get(family_name="Newfamily")
    assert response["Location"] == reverse("web:contact-details", args=[person.pk])
    response = client.post(reverse("web:contact-details", args=[person.pk]), {
        "channel": "web", "source": "self", "reason": "Asked for parenting support", "consent_at_referral": "given",
        "team": world.north.pk})
    contact = Contact.objects.get()
    assert response["Location"] == reverse("web:contact", args=[contact.pk])
    assert contact.household.memberships.get().person == person


def test_bad_person_details_show_specific_errors_and_create_nothing(client, world):
    client.force_login(world.front_door)
    client.post(reverse("web:contact-new"), SEARCH)
    bad = {**PERSON, "identifier_nhs": "9434765918", "date_of_birth_day": "31", "date_of_birth_month": "2"}
    page = client.post(reverse("web:contact-new-person"), bad).content.decode()
    assert "There is a problem" in page and "must be a real date" in page
    bad = {**PERSON, "identifier_nhs": "9434765918"}
    page = client.post(reverse("web:contact-new-person"), bad).content.decode()
    assert "check digit is wrong" in page
    assert not Person.objects.filter(family_name="Newfamily").exists()


def test_a_contact_can_only_be_recorded_about_someone_the_search_returned(client, world):
    family = make_family(world, family_name="Elsewhere", with_episode=False)
    client.force_login(world.front_door)
    response = client.get(reverse("web:contact-details", args=[family["members"][0].pk]))
    assert response.status_code == 404


def test_contact_pages_are_seen_by_their_recorder_and_the_receiving_team_only(client, world):
    family = make_family(world, with_episode=False)
    client.force_login(world.front_door)
    client.post(reverse("web:contact-new"), {"family_name": "Testfamily", "given_name": "Jamie"})
    person = family["members"][2]
    client.post(reverse("web:contact-details", args=[person.pk]), {
        "channel": "phone", "source": "school", "reason": "Attendance", "consent_at_referral": "given",
        "team": world.north.pk})
    url = reverse("web:contact", args=[Contact.objects.get().pk])
    for user, status in [(world.front_door, 200), (world.manager, 200), (world.lead, 200),
                         (world.other_manager, 404), (world.partner, 404), (world.data_team, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username


def test_manager_opens_an_episode_from_a_contact(client, world):
    family = make_family(world, with_episode=False)
    from earlyhelp.casework import services

    contact = services.record_contact(by=world.front_door, household=family["household"],
                                      subject=family["members"][2], team=world.north, channel="email",
                                      source="health", reason="Health visitor concern", consent_at_referral="given")
    client.force_login(world.manager)
    response = client.post(reverse("web:contact", args=[contact.pk]), {"decision": "episode_opened"})
    assert response["Location"] == reverse("web:family", args=[family["household"].pk])
    assert family["household"].episodes.filter(status="open").exists()


@pytest.mark.parametrize("reference, found", [("F0000001", True), ("f0000001", True), ("F9999999", False)])
def test_the_dpo_finds_a_family_access_log_by_reference(client, world, reference, found):
    family = make_family(world)
    assert family["household"].reference == "F0000001"
    client.force_login(world.dpo)
    response = client.post(reverse("web:access-log-lookup"), {"reference": reference})
    if found:
        assert response["Location"] == reverse("web:family-viewers", args=[family["household"].pk])
    else:
        assert "No family has this reference" in response.content.decode()
    client.force_login(world.lead)
    assert client.get(reverse("web:access-log-lookup")).status_code == 404


def test_an_unknown_organisation_or_team_gets_a_specific_error_and_nothing_is_written(client, world):
    family = make_family(world, family_name="Known", with_episode=False)
    client.force_login(world.front_door)
    client.post(reverse("web:contact-new"), {"family_name": "Known", "given_name": "Jamie"})
    page = client.post(reverse("web:contact-details", args=[family["members"][2].pk]), {
        "channel": "phone", "source": "school", "reason": "Attendance", "consent_at_referral": "given",
        "team": 999999, "source_organisation": 999999}).content.decode()
    assert "Select an organisation from the list" in page and "Select a team from the list" in page
    assert not Contact.objects.exists()


@pytest.mark.parametrize("born, role", [({"date_of_birth_year": "2016"}, "child"),
                                        ({"date_of_birth_year": "1990"}, "parent_carer")])
def test_a_new_person_at_the_front_door_starts_a_family_in_the_role_their_age_gives(client, world, born, role):
    client.force_login(world.front_door)
    client.post(reverse("web:contact-new"), SEARCH)
    client.post(reverse("web:contact-new-person"), {**PERSON, **born})
    person = Person.objects.get(family_name="Newfamily")
    membership = person.memberships.get()
    assert membership.role == role and membership.start_date == person.date_of_birth
    assert person.addresses.get().valid_from == person.date_of_birth
