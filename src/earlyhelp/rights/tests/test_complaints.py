"""Complaints to the Data Protection Officer, and onward to the ICO (P25)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from earlyhelp.rights import services
from earlyhelp.rights.models import Outcome, RequestStatus

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P25")]


@pytest.fixture
def complaint(log):
    return log(kind="complaint", details="My information was sent to the wrong school")


def test_a_complaint_is_logged_with_the_dpo_and_its_page_says_the_complainant_can_go_on_to_the_ico(
        world, complaint, client):
    client.force_login(world.dpo)
    page = html.unescape(client.get(reverse("rights:detail", args=[complaint.pk])).content.decode())
    assert "Complaint to the Data Protection Officer" in page
    assert "they can complain to the Information Commissioner's Office" in page
    assert "0303 123 1113" in page and "Wycliffe House" in page
    decision_page = html.unescape(client.get(reverse("rights:decide", args=[complaint.pk])).content.decode())
    assert "Complaint upheld" in decision_page and "Complaint not upheld" in decision_page
    assert "go on to the Information Commissioner" in decision_page


def test_the_outcome_is_recorded_and_the_answer_always_tells_them_about_the_ico(world, complaint):
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=complaint, outcome=Outcome.NOT_UPHELD, reason="", response_text="")
    assert set(caught.value.message_dict) == {"reason", "response_text"}
    decided = services.decide(
        by=world.dpo, request=complaint, outcome=Outcome.PARTLY_UPHELD,
        reason="The referral went to the right school; the covering email named the wrong head teacher",
        response_text="We are sorry: the email was addressed wrongly. We have retrained the team.")
    assert decided.status == RequestStatus.COMPLETED and decided.outcome == Outcome.PARTLY_UPHELD
    assert decided.response_text.startswith("We are sorry")
    assert "Information Commissioner's Office" in decided.response_text and "0303 123 1113" in decided.response_text
    assert decided.decided_by == world.dpo and decided.decided_at is not None


def test_a_complaints_outcome_is_one_of_upheld_partly_upheld_or_not_upheld(world, complaint):
    with pytest.raises(ValidationError) as caught:
        services.decide(by=world.dpo, request=complaint, outcome=Outcome.COMPLIED, response_text="Done")
    assert "outcome" in caught.value.message_dict
    decided = services.decide(by=world.dpo, request=complaint, outcome=Outcome.NOT_UPHELD,
                              reason="The sharing was lawful: the school is on the TAF with consent",
                              response_text=services.standard_answer("complaint"))
    assert decided.response_text.count("Information Commissioner") == 1


def test_the_decided_complaint_page_shows_the_outcome_and_the_answer_given(world, complaint, client):
    services.decide(by=world.dpo, request=complaint, outcome=Outcome.UPHELD,
                    reason="The letter went to an old address", response_text="You are right; we are sorry.")
    client.force_login(world.dpo)
    page = html.unescape(client.get(reverse("rights:detail", args=[complaint.pk])).content.decode())
    assert "Complaint upheld" in page and "The letter went to an old address" in page
    assert "You are right; we are sorry." in page and "0303 123 1113" in page
