"""Ask for early help (issue 15): question pages storing each answer at once, check your answers, a reference; P24 at
the age boundary; bad input refused with a GOV.UK error and nothing half-stored; nothing created or linked (P13)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework.models import Contact
from earlyhelp.online import services
from earlyhelp.messaging.models import SentMessage
from earlyhelp.online.models import HelpLine, HelpRequest, PermissionAge, RequestStatus
from earlyhelp.people.models import Household, Person
from earlyhelp.records.text import CONTROL_CHARACTERS

from .helpers import (
    PROFESSIONAL_ANSWERS,
    SELF_ANSWERS,
    answer,
    dob,
    fill_professional,
    fill_self,
    send,
    start,
    years_before,
)

pytestmark = pytest.mark.django_db

GUARDIAN = {"guardian_name": "Pat Testfamily", "guardian_relationship": "Mum", "guardian_phone": "07700 900123",
            "guardian_permission": "on"}


def _today():
    return timezone.localdate()


@pytest.mark.promise("P22", "P13", "P1")
def test_a_professional_asks_for_a_family_and_gets_a_reference(client):
    help_request = fill_professional(client)
    assert help_request.status == RequestStatus.DRAFT
    assert help_request.answers["organisation"] == "Testtown Primary School"
    assert help_request.answers["date_of_birth"] == "2016-05-04"
    check = client.get(reverse("online:check"))
    assert check.status_code == 200
    page = check.content.decode()
    assert "Check your answers" in page and "Testtown Primary School" in page and "4 May 2016" in page
    response = send(client)
    assert response.url == reverse("online:sent")
    sent = client.get(response.url).content.decode()
    help_request.refresh_from_db()
    assert help_request.status == RequestStatus.SUBMITTED and help_request.submitted_at is not None
    assert help_request.reference in sent and "govuk-panel--confirmation" in sent
    # Nobody was created or linked, and no contact exists until the front door decides who it is about (P13).
    assert not Person.objects.exists() and not Household.objects.exists() and not Contact.objects.exists()
    # Every page's answer was audited without its content.
    events = AuditEvent.objects.filter(object_type="online.helprequest")
    assert events.filter(event="online.help_request.answer").count() == len(PROFESSIONAL_ANSWERS)
    assert events.filter(event="online.help_request.submit").count() == 1
    assert not any("Testfamily" in str(event.metadata) for event in events)
    # Sent: the session no longer reaches it; the pages start again.
    assert client.get(reverse("online:check")).url == reverse("online:start")


@pytest.mark.promise("P3")
def test_each_question_says_whether_it_is_optional(client):
    start(client, "professional")
    for step, data in PROFESSIONAL_ANSWERS:
        page = client.get(reverse("online:question", args=[step])).content.decode()
        if step == "family-agreement":
            assert "What have you told the family? (optional)" in page
        assert 'novalidate' in page and "privacy" in page.lower()
        answer(client, step, data)
    start_page = client.get(reverse("online:start")).content.decode()
    assert "How we use your information" in start_page and reverse("web:privacy-notice") in start_page


def test_each_answer_is_stored_at_once_and_the_request_can_be_continued_with_its_reference(client, django_user_model):
    help_request = start(client, "self")
    answer(client, "name", SELF_ANSWERS[0][1])
    help_request.refresh_from_db()
    assert help_request.answers == {"given_name": "Robin", "family_name": "Testfamily"}
    # Another browser, another day: the reference brings the request back, at the first question not answered.
    other = type(client)()
    assert other.get(reverse("online:question", args=["name"])).url == reverse("online:start")
    response = other.post(reverse("online:resume"), {"reference": help_request.reference.lower()})
    assert response.url == reverse("online:question", args=["date-of-birth"])
    wrong = other.post(reverse("online:resume"), {"reference": "EH-AAAA-AAAA-AAAA"})
    assert wrong.status_code == 200 and "could not find a request" in wrong.content.decode()


# --- P24: under the permission age, a parent's or guardian's permission ---------------------------------------

@pytest.mark.promise("P24")
def test_a_child_who_turns_13_today_may_ask_on_their_own(client):
    help_request = fill_self(client, years_before(_today(), 13))
    assert "guardian_name" not in help_request.answers
    assert send(client).url == reverse("online:sent")
    assert HelpRequest.objects.get(pk=help_request.pk).status == RequestStatus.SUBMITTED


@pytest.mark.promise("P24")
def test_a_child_who_turns_13_tomorrow_needs_a_parents_permission(client):
    born = years_before(_today() + datetime.timedelta(days=1), 13)
    help_request = fill_self(client, born)
    # Sent to the parent's permission page, and nothing lets them past it: not the later pages, not sending.
    assert client.get(reverse("online:check")).url == reverse("online:question", args=["parent-or-guardian"])
    page = client.get(reverse("online:question", args=["parent-or-guardian"])).content.decode()
    assert "under 13" in page and reverse("online:other-help") in page
    assert send(client).url == reverse("online:question", args=["parent-or-guardian"])
    with pytest.raises(Exception, match="Answer all the questions"):
        services.submit_request(request_id=help_request.pk, complete=False)
    refused = answer(client, "parent-or-guardian", {**GUARDIAN, "guardian_permission": ""})
    assert refused.status_code == 200 and "Confirm that you are their parent or guardian" in refused.content.decode()
    assert HelpRequest.objects.get(pk=help_request.pk).status == RequestStatus.DRAFT
    # With the parent's details and permission, recorded with the request, it can be sent.
    assert answer(client, "parent-or-guardian", GUARDIAN).status_code == 302
    for step, data in SELF_ANSWERS[1:]:
        answer(client, step, data)
    assert send(client).url == reverse("online:sent")
    help_request.refresh_from_db()
    assert help_request.status == RequestStatus.SUBMITTED
    assert help_request.answers["guardian_permission"] is True and help_request.answers["guardian_name"]


@pytest.mark.promise("P24", "P1")
def test_a_corrected_date_of_birth_forgets_the_parents_details(client):
    help_request = fill_self(client, years_before(_today(), 10))
    answer(client, "parent-or-guardian", GUARDIAN)
    answer(client, "date-of-birth", dob(years_before(_today(), 15)))
    help_request.refresh_from_db()
    assert not any(key.startswith("guardian_") for key in help_request.answers)


@pytest.mark.promise("P24")
def test_the_age_and_the_help_lines_are_the_councils_to_change(client):
    PermissionAge.objects.update_or_create(pk=1, defaults={"age": 16})
    HelpLine.objects.all().delete()
    HelpLine.objects.create(name="Testshire Young People's Line", phone="0800 000 0000")
    fill_self(client, years_before(_today(), 14))
    assert client.get(reverse("online:check")).url == reverse("online:question", args=["parent-or-guardian"])
    other_help = client.get(reverse("online:other-help")).content.decode()
    assert "under 16" in other_help and "Testshire Young People&#x27;s Line" in other_help


# --- Bad input: a clear GOV.UK error on the page, and nothing half-stored ---------------------------------------

def _refused(client, step, data, message):
    help_request = HelpRequest.objects.latest("pk")
    before = dict(help_request.answers)
    response = answer(client, step, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page, page[:3000]
    assert page.count("<title>Error: ") == 1
    assert not CONTROL_CHARACTERS.search(page)  # an answer shown again has its control characters taken out
    help_request.refresh_from_db()
    assert help_request.answers == before
    return page


@pytest.mark.parametrize(("step", "data", "message"), [
    ("name", {"given_name": "", "family_name": ""}, "Enter a first name"),
    ("name", {"given_name": "R" * 10_000, "family_name": "Testfamily"}, "First name must be 100 characters or fewer"),
    ("name", {"given_name": "Rob\x00in", "family_name": "Testfamily"},
     "First name must only include letters, numbers, spaces and punctuation"),
    ("name", {"given_name": "Robin", "family_name": "Test\x1b[31mfamily"},
     "Last name must only include letters, numbers, spaces and punctuation"),
    ("date-of-birth", {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2015"},
     "Date of birth must be a real date"),
    ("date-of-birth", {"date_of_birth_day": "1", "date_of_birth_month": "1", "date_of_birth_year": "3015"},
     "Date of birth must be today or in the past"),
    ("date-of-birth", {"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""},
     "Enter date of birth"),
    ("contact-details", {"phone": "", "email": "not-an-email", "contact_note": ""},
     "Enter an email address in the correct format"),
    ("contact-details", {"phone": "", "email": "", "contact_note": ""}, "Enter a phone number or an email address"),
    ("postcode", {"postcode": "NOT A POSTCODE"}, "Enter a real postcode"),
    ("reason", {"reason": "x" * 3001}, "must be 3,000 characters or fewer"),
])
def test_bad_answers_get_a_govuk_error_and_nothing_is_stored(client, step, data, message):
    start(client, "self")
    answer(client, "name", SELF_ANSWERS[0][1])
    answer(client, "date-of-birth", dob(years_before(_today(), 30)))
    _refused(client, step, data, message)


def test_a_professionals_email_must_be_an_email_address(client):
    start(client, "professional")
    answer(client, *PROFESSIONAL_ANSWERS[0])
    _refused(client, "your-contact-details", {"referrer_email": "sam at school", "referrer_phone": "01632 960001"},
             "Enter an email address in the correct format")


def test_what_was_typed_is_never_run_as_markup(client):
    start(client, "self")
    refused_name = answer(client, "name", {"given_name": "<script>alert(1)</script>", "family_name": "Testfamily"})
    assert "First name must only include letters" in refused_name.content.decode()  # the person-name rule
    assert "<script>alert(1)</script>" not in refused_name.content.decode()
    answer(client, "name", SELF_ANSWERS[0][1])
    answer(client, "date-of-birth", dob(years_before(_today(), 30)))
    for step, data in SELF_ANSWERS[1:]:
        answer(client, step, {**data, "reason": "<script>alert(1)</script>"} if "reason" in data else data)
    page = client.get(reverse("online:check")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    refused = answer(client, "name", {"given_name": "<b>x</b>\x00", "family_name": "y"}).content.decode()
    assert "<b>x</b>" not in refused


def test_a_step_not_on_the_route_or_unknown_is_not_found(client):
    start(client, "self")
    assert client.get(reverse("online:question", args=["your-details"])).status_code == 404
    assert client.get(reverse("online:question", args=["no-such-step"])).status_code == 404


@pytest.mark.promise("P4")
def test_requests_never_sent_are_deleted_after_the_configured_time(client, settings):
    settings.EARLYHELP_PUBLIC_DRAFT_DAYS = 28
    old = start(client, "self")
    HelpRequest.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=29))
    sent = fill_professional(type(client)())
    services.submit_request(request_id=sent.pk, complete=True)
    HelpRequest.objects.filter(pk=sent.pk).update(updated_at=timezone.now() - datetime.timedelta(days=60))
    recent = start(type(client)(), "self")
    assert services.delete_stale_drafts() == 1
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {sent.pk, recent.pk}


def test_the_request_is_acknowledged_by_email_with_its_reference_only(client, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    help_request = fill_professional(client)
    with django_capture_on_commit_callbacks(execute=True):
        send(client)
    help_request.refresh_from_db()
    [email] = mailoutbox
    assert email.to == [dict(PROFESSIONAL_ANSWERS)["your-contact-details"]["referrer_email"]]
    assert help_request.reference in email.body and "Testfamily" not in email.body
    sent = SentMessage.objects.get(reference=help_request.reference)
    assert sent.kind == services.ACKNOWLEDGEMENT
    # The record of the e-mail goes with the request, however the request goes (here, with its contact: a cascade).
    help_request.delete()
    assert not SentMessage.objects.filter(reference=help_request.reference).exists()
