"""The family pages that make several changes at once, through the test client: each is all or nothing."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import AssessmentStatus
from earlyhelp.people import services as people
from earlyhelp.people.models import Person, Relationship
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.testing.world import make_family

NEW_BABY = {"person-given_name": "Robin", "person-family_name": "Testfamily", "person-date_of_birth_day": "1",
            "person-date_of_birth_month": "2", "person-date_of_birth_year": "2024", "person-gender": "male",
            "person-line_1": "1 Test Street", "person-town": "Testtown", "person-postcode": "SW1A 1AA"}


def as_a_child(form):
    """Their place in the family, as the form for `form` ("existing" or "new") names its fields."""
    return {f"{form}-role": "child", f"{form}-lives_in_household": "on", f"{form}-start_date_day": "1",
            f"{form}-start_date_month": "2", f"{form}-start_date_year": "2024"}


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead)


def _search(client, url, **terms):
    client.post(url, {"step": "search", **{f"search-{k}": v for k, v in terms.items()}})


def test_a_new_person_is_added_to_the_family_with_their_address_and_relationship(client, world, family):
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    _search(client, url, family_name="Testfamily", given_name="Robin")
    brother = family["members"][2]
    response = client.post(url, {"step": "create", **NEW_BABY, **as_a_child("new"),
                                 "new-relationship_to": str(brother.pk), "new-relationship": "sibling",
                                 "new-has_parental_responsibility": ""})
    assert response.status_code == 302
    robin = Person.objects.get(given_name="Robin")
    membership = family["household"].memberships.get(person=robin)
    assert membership.role == "child" and membership.start_date == datetime.date(2024, 2, 1)
    assert robin.addresses.get().valid_from == datetime.date(2024, 2, 1)
    assert Relationship.objects.get(person=robin).related_person == brother


def _ids(html):
    return re.findall(r'\sid="([^"]+)"', html)


def _form_holding(html, control_id):
    """The <form> element that holds the control with `control_id`."""
    return next(form for form in re.findall(r"<form\b.*?</form>", html, re.S) if f'id="{control_id}"' in form)


def test_each_way_of_adding_a_member_has_its_own_fields_and_errors_link_to_them(client, world, family):
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    page = client.post(url, {"step": "search", "search-family_name": "Testfamily",
                             "search-given_name": "Robin"}).content.decode()
    ids = _ids(page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for labelled in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
        assert labelled in ids
    for step, form in [("create", "new"), ("existing", "existing")]:
        chosen = {"step": step, **NEW_BABY, **as_a_child(form), f"{form}-role": ""}
        page = client.post(url, chosen).content.decode()
        link = re.search(r'<a href="#([^"]+)">Select their role in the family</a>', page).group(1)
        assert 'name="step" value="%s"' % step in _form_holding(page, link)
    assert family["household"].memberships.count() == 4


def test_a_new_person_with_a_bad_identifier_is_not_created_or_added(client, world, family):
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    _search(client, url, family_name="Testfamily", given_name="Robin")
    page = client.post(url, {"step": "create", **NEW_BABY, **as_a_child("new"), "person-identifier_nhs": "9434765918"})
    assert "check digit" in page.content.decode()
    assert not Person.objects.filter(given_name="Robin").exists()
    assert family["household"].memberships.count() == 4


def test_someone_the_search_found_is_added_to_the_family(client, world, family):
    grandparent = people.create_person(by=world.front_door, given_name="Pat", family_name="Elderly",
                                       date_of_birth=datetime.date(1950, 1, 1))
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    _search(client, url, family_name="Elderly", given_name="Pat")
    response = client.post(url, {"step": "existing", "person_id": str(grandparent.pk), **as_a_child("existing"),
                                 "existing-role": "other_adult", "existing-lives_in_household": ""})
    assert response.status_code == 302
    membership = family["household"].memberships.get(person=grandparent)
    assert membership.role == "other_adult" and not membership.lives_in_household


def test_someone_the_search_did_not_find_cannot_be_added(client, world, family):
    stranger = people.create_person(by=world.front_door, given_name="Lee", family_name="Stranger",
                                    date_of_birth=datetime.date(1970, 1, 1))
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    _search(client, url, family_name="Elderly", given_name="Pat")
    response = client.post(url, {"step": "existing", "person_id": str(stranger.pk), **as_a_child("existing")})
    assert response.status_code == 404
    assert not family["household"].memberships.filter(person=stranger).exists()


def _assessment_form(analysis):
    return {"voice_of_child": "", "analysis": analysis,
            **{f"{code}-{part}": value for code in HeadlineArea.objects.values_list("code", flat=True)
               for part, value in [("applies", "no"), ("source", "family")]},
            "EDUCATION-applies": "yes", "EDUCATION-strengths": "Reads", "EDUCATION-needs": "Attendance",
            "EDUCATION-score": "2", "EDUCATION-source": "family"}


def test_an_assessment_is_saved_then_submitted_from_its_page(client, world, family):
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="Concerns")
    url = reverse("web:assessment-edit", args=[family["household"].pk])
    client.force_login(world.lead)
    assert client.post(url, {**_assessment_form(""), "submit": "save"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and assessment.findings.get().needs == "Attendance"
    assert client.post(url, {**_assessment_form("Mornings are hard"), "submit": "submit"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.analysis == "Mornings are hard"


def test_an_assessment_that_cannot_be_submitted_is_not_saved_either(client, world, family):
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="Concerns")
    url = reverse("web:assessment-edit", args=[family["household"].pk])
    client.force_login(world.lead)
    page = client.post(url, {**_assessment_form(""), "submit": "submit"}).content.decode()
    assert "Enter your analysis before submitting" in page
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and not assessment.findings.exists()


def test_picking_someone_the_search_did_not_find_is_audited_as_a_refusal(client, world, family):
    stranger = people.create_person(by=world.front_door, given_name="Lee", family_name="Stranger",
                                    date_of_birth=datetime.date(1970, 1, 1))
    url = reverse("web:member-new", args=[family["household"].pk])
    client.force_login(world.lead)
    _search(client, url, family_name="Elderly", given_name="Pat")
    client.post(url, {"step": "existing", "person_id": str(stranger.pk), **as_a_child("existing")})
    assert AuditEvent.objects.filter(action=Action.DENIED, event="person.denied", object_ids=[stranger.pk]).exists()


def test_saving_and_submitting_an_assessment_is_one_change(world, family):
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="Concerns")
    findings = {**dict.fromkeys(HeadlineArea.objects.values_list("code", flat=True)),
                "EDUCATION": {"strengths": "Reads", "needs": "Attendance", "score": 2}}
    with pytest.raises(ValidationError, match="analysis"):
        services.save_assessment(by=world.lead, assessment=assessment, findings=findings, voice_of_child="",
                                 analysis="", submit=True)
    assert not assessment.findings.exists()
    services.save_assessment(by=world.lead, assessment=assessment, findings=findings, voice_of_child="",
                             analysis="Mornings are hard", submit=True)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.findings.count() == 1
