"""The assessment page (issue 14): who told us is kept when a draft is reopened (P17), and no area is decided for
the practitioner: each is chosen, or left for later in a draft."""

import re

import pytest
from django.urls import reverse

from earlyhelp.casework import services
from earlyhelp.casework.models import AssessmentStatus
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.testing.world import make_family


@pytest.fixture
def draft(client, world):
    family = make_family(world, lead=world.lead)
    assessment = services.start_assessment(by=world.lead, episode=family["episode"], reason="Concerns")
    client.force_login(world.lead)
    return assessment, reverse("web:assessment-edit", args=[family["household"].pk])


def _education(source):
    """What a browser sends: every area's "who told us" list has a value, chosen or not."""
    return {**{f"{code}-source": "family" for code in HeadlineArea.objects.values_list("code", flat=True)},
            "EDUCATION-applies": "yes", "EDUCATION-strengths": "Reads", "EDUCATION-needs": "Attendance",
            "EDUCATION-score": "2", "EDUCATION-source": source}


def _every_area_not_applicable():
    return {f"{code}-applies": "no" for code in HeadlineArea.objects.values_list("code", flat=True)}


@pytest.mark.promise("P17")
def test_reopening_a_draft_keeps_the_partner_who_told_us(client, world, draft):
    assessment, url = draft
    school = f"org:{world.school.pk}"
    chosen = {**_every_area_not_applicable(), **_education(school), "analysis": "", "submit": "save"}
    assert client.post(url, chosen).status_code == 302
    page = client.get(url).content.decode()
    source = re.search(r'<select[^>]*name="EDUCATION-source".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected', source) == [school]
    # Saving the reopened page unchanged keeps the school as the source.
    assert client.post(url, chosen).status_code == 302
    assert assessment.findings.get().source_organisation == world.school


def test_no_area_is_chosen_for_the_practitioner(client, draft):
    _, url = draft
    page = client.get(url).content.decode()
    applies = re.findall(r'<input[^>]*name="[A-Z_]+-applies"[^>]*>', page)
    assert len(applies) == 2 * HeadlineArea.objects.count()
    assert not [tag for tag in applies if "checked" in tag]


def test_submitting_needs_a_choice_for_every_area(client, draft):
    assessment, url = draft
    chosen = {**_every_area_not_applicable(), **_education("family")}
    del chosen["HEALTH-applies"]
    page = client.post(url, {**chosen, "analysis": "Mornings are hard", "submit": "submit"}).content.decode()
    health = HeadlineArea.objects.get(code="HEALTH").label.lower()
    assert f'<a href="#id_HEALTH-applies">Choose whether {health} applies to this family</a>' in page
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and not assessment.findings.exists()
    chosen["HEALTH-applies"] = "no"
    assert client.post(url, {**chosen, "analysis": "Mornings are hard", "submit": "submit"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED


def test_a_draft_can_be_saved_with_areas_still_to_choose(client, draft):
    assessment, url = draft
    assert client.post(url, {"analysis": "", **_education("family"), "submit": "save"}).status_code == 302
    assert list(assessment.findings.values_list("area__code", flat=True)) == ["EDUCATION"]
