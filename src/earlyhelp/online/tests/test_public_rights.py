"""The public rights pages (no sign-in): a family asks for their records, a correction, to withdraw consent or
complains online; bad input gets a GOV.UK error and nothing is stored; nothing about anyone is shown back; the rate
limit applies (issue 15; P19, P5, P9, P25)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.core import mail
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from earlyhelp.messaging.models import SentMessage
from earlyhelp.online.models import PermissionAge
from earlyhelp.rights.models import Channel, RequestStatus, RightsRequest
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

ROBIN = "Robin Quillfeather"


def question(kind, step):
    return reverse("online:rights-question", args=[kind, step])


def dob(day: datetime.date) -> dict:
    name = "subject_date_of_birth"
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def answer(client, kind, step, data, *, expect=302):
    response = client.post(question(kind, step), data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def ask_for_myself(client, kind="see-your-records", *, email="robin@example.com", details=""):
    answer(client, kind, "who", {"requester_relationship": "self"})
    answer(client, kind, "your-age", {"old_enough": "yes"})
    answer(client, kind, "your-name", {"requester_name": ROBIN})
    answer(client, kind, "contact", {"requester_email": email, "requester_phone": "", "requester_address": ""})
    return answer(client, kind, "details", {"details": details})


def test_a_family_asks_for_their_records_online_and_the_dpo_finds_it_in_the_register(
        client, world, django_capture_on_commit_callbacks):
    assert client.get(reverse("online:rights-start")).status_code == 200
    last = ask_for_myself(client, details="My records from 2024")
    assert last.url == reverse("online:rights-check", args=["see-your-records"])
    check = client.get(last.url).content.decode()
    assert ROBIN in check and "robin@example.com" in check and "My records from 2024" in check
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(last.url)
    assert sent.url == reverse("online:rights-sent")
    request = RightsRequest.objects.get()
    assert (request.kind, request.channel, request.status) == ("access", Channel.WEB, RequestStatus.AWAITING_ID)
    assert request.received_on == request.clock_started_on == timezone.localdate()
    confirmation = client.get(sent.url).content.decode()
    assert request.reference in confirmation and "check who you are" in confirmation
    assert ROBIN not in confirmation and "robin@example.com" not in confirmation
    [message] = mail.outbox
    assert request.reference in message.body and SentMessage.objects.get().reference == request.reference
    client.force_login(world.dpo)
    register = client.get(reverse("rights:list"), {"channel": "web"}).content.decode()
    assert request.reference in register and "Online form" in register


@pytest.mark.promise("P24")
def test_someone_under_the_permission_age_cannot_ask_for_themselves_online_on_their_own(client):
    answer(client, "see-your-records", "who", {"requester_relationship": "self"})
    assert client.get(question("see-your-records", "your-name")).url == question("see-your-records", "your-age")
    page = answer(client, "see-your-records", "your-age", {"old_enough": "no"}, expect=200).content.decode()
    assert "Are you 13 or older?" in page and "permission to ask us online" in page and "help lines" in page
    # Still the age question: the rest of the request cannot be reached, and nothing has been stored.
    assert client.get(question("see-your-records", "details")).url == question("see-your-records", "your-age")
    assert client.get(reverse("online:rights-check", args=["see-your-records"])).url == question(
        "see-your-records", "your-age")
    assert not RightsRequest.objects.exists()
    PermissionAge.objects.update_or_create(pk=PermissionAge.objects.order_by("pk").values_list("pk", flat=True)
                                           .first(), defaults={"age": 16})
    assert "Are you 16 or older?" in client.get(question("see-your-records", "your-age")).content.decode()


@pytest.mark.promise("P24")
def test_a_parent_asking_for_their_child_is_not_asked_their_own_age(client):
    answer(client, "see-your-records", "who", {"requester_relationship": "parent_carer"})
    assert client.get(question("see-your-records", "your-age")).status_code == 404


@pytest.mark.promise("P5.1")
@pytest.mark.promise("P9.2")
@pytest.mark.promise("P25.1")
@pytest.mark.parametrize(("kind", "code"), [("correct-your-records", "rectification"),
                                            ("withdraw-consent", "consent_withdrawal"), ("complain", "complaint")])
def test_a_parent_asks_for_their_child_and_the_details_are_needed(client, world, kind, code):
    answer(client, kind, "who", {"requester_relationship": "parent_carer"})
    answer(client, kind, "their-name", {"subject_name": "Jo Quillfeather"})
    answer(client, kind, "their-date-of-birth", dob(datetime.date(2015, 3, 27)))
    answer(client, kind, "your-name", {"requester_name": ROBIN})
    answer(client, kind, "contact", {"requester_email": "", "requester_phone": "07700 900982",
                                     "requester_address": ""})
    missing = answer(client, kind, "details", {"details": ""}, expect=200).content.decode()
    assert "govuk-error-summary" in missing and not RightsRequest.objects.exists()
    answer(client, kind, "details", {"details": "Please stop sharing with the school"})
    client.post(reverse("online:rights-check", args=[kind]))
    request = RightsRequest.objects.get()
    assert (request.kind, request.requester_relationship, request.subject_name) == (
        code, "parent_carer", "Jo Quillfeather")
    assert request.subject_date_of_birth == datetime.date(2015, 3, 27) and request.subject is None
    assert not SentMessage.objects.exists()  # no address, no message


@pytest.mark.parametrize(("step", "data", "error"), [
    ("who", {}, "Select who the request is about"),
    ("your-name", {"requester_name": ""}, "Enter your full name"),
    ("your-name", {"requester_name": "R" * 10_000}, "must be 200 characters or fewer"),
    ("your-name", {"requester_name": "Robin\x00Quillfeather"}, "must only include letters, numbers"),
    ("contact", {"requester_email": "not-an-email"}, "Enter an email address in the correct format"),
    ("contact", {"requester_email": "", "requester_phone": "", "requester_address": ""},
     "Enter at least one way for us to reply to you"),
    ("contact", {"requester_address": "1 Test Street\x1b[31m"}, "must only include letters, numbers"),
    ("details", {"details": "x" * 10_000}, "must be 5,000 characters or fewer"),
    ("their-date-of-birth", {"subject_date_of_birth_day": "31", "subject_date_of_birth_month": "2",
                             "subject_date_of_birth_year": "2015"}, "Date of birth must be a real date"),
    ("their-date-of-birth", {"subject_date_of_birth_day": "1", "subject_date_of_birth_month": "1",
                             "subject_date_of_birth_year": "2999"}, "Date of birth must be"),
])
def test_bad_input_gets_a_govuk_error_and_nothing_is_stored(client, world, step, data, error):
    kind = "see-your-records"
    answer(client, kind, "who", {"requester_relationship": "other" if step == "their-date-of-birth" else "self"})
    if step != "their-date-of-birth":
        answer(client, kind, "your-age", {"old_enough": "yes"})
    if step == "their-date-of-birth":
        answer(client, kind, "connection", {"requester_relationship_detail": "Their grandparent"})
        answer(client, kind, "their-name", {"subject_name": "Jo Quillfeather"})
    elif step in ("contact", "details"):
        answer(client, kind, "your-name", {"requester_name": ROBIN})
        if step == "details":
            answer(client, kind, "contact", {"requester_email": "robin@example.com"})
    page = client.post(question(kind, step), data)
    assert page.status_code == 200
    content = page.content.decode()
    assert "govuk-error-summary" in content and error in content
    assert not RightsRequest.objects.exists() and not SentMessage.objects.exists()


def test_questions_are_answered_in_order_and_an_unknown_kind_is_not_found(client, world):
    assert client.get(question("see-your-records", "details")).url == question("see-your-records", "who")
    assert client.get(reverse("online:rights-check", args=["see-your-records"])).status_code == 302
    assert client.get(question("delete-everything", "who")).status_code == 404
    assert client.get(question("see-your-records", "their-name")).status_code == 404  # not asked of "me"


def test_nothing_about_anyone_on_our_records_is_shown_back(client, world):
    """A parent types the name and birthday of a child we hold: no page says whether we know them, or shows anything
    we hold that they did not type (the family's other members, address, postcode, references, identifiers)."""
    family = make_family(world, family_name="Quillfeather", lead=world.lead, postcode="ZE9 9QQ", seed=7)
    parent, other_parent, child, sibling = family["members"]
    kind = "see-your-records"
    pages = [client.get(reverse("online:rights-start")).content.decode()]
    for step, data in [("who", {"requester_relationship": "parent_carer"}),
                       ("their-name", {"subject_name": child.full_name}),
                       ("their-date-of-birth", dob(child.date_of_birth)),
                       ("your-name", {"requester_name": parent.full_name}),
                       ("contact", {"requester_email": "parent@example.com"}),
                       ("details", {"details": ""})]:
        pages.append(client.get(question(kind, step)).content.decode())
        answer(client, kind, step, data)
    pages.append(client.get(reverse("online:rights-check", args=[kind])).content.decode())
    confirmation = client.get(client.post(reverse("online:rights-check", args=[kind])).url).content.decode()
    held = [other_parent.full_name, sibling.full_name, "ZE9 9QQ", "7 Test Street", family["household"].reference,
            *child.identifiers.values_list("value", flat=True), *parent.identifiers.values_list("value", flat=True)]
    for page in [*pages, confirmation]:
        assert not [value for value in held if value in page]
    # The confirmation shows the reference and what happens next: not even what was typed.
    assert not [value for value in (child.full_name, parent.full_name, "parent@example.com", "Quillfeather")
                if value in confirmation]
    request = RightsRequest.objects.get()
    assert request.reference in confirmation
    assert request.subject is None and request.requester_person is None  # the DPO matches, nobody else


def test_a_flood_of_requests_from_one_client_answers_429_and_stores_nothing(client, world):
    caches["public_rate"].clear()
    with override_settings(EARLYHELP_PUBLIC_RATE="4/d"):
        answer(client, "complain", "who", {"requester_relationship": "self"})
        answer(client, "complain", "your-age", {"old_enough": "yes"})
        answer(client, "complain", "your-name", {"requester_name": ROBIN})
        answer(client, "complain", "contact", {"requester_email": "robin@example.com"})
        flood = [client.post(question("complain", "details"), {"details": "Complaint"}) for _ in range(3)]
        flood.append(client.post(reverse("online:rights-check", args=["complain"])))
    assert {response.status_code for response in flood} == {429}
    assert not RightsRequest.objects.exists()
    caches["public_rate"].clear()


# --- Fuzzing: whatever a client sends to a question, the answer is a page or a redirect, never an error ------------

FIELDS = {"who": ["requester_relationship"], "connection": ["requester_relationship_detail"],
          "their-name": ["subject_name"], "their-date-of-birth": [
              "subject_date_of_birth_day", "subject_date_of_birth_month", "subject_date_of_birth_year"],
          "your-name": ["requester_name"], "contact": ["requester_email", "requester_phone", "requester_address"],
          "details": ["details"]}
ANY_TEXT = st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
                     st.sampled_from(["", "self", "other", "0", "-1", "99999999999999999999", "31", "2999",
                                      "a@b", "x" * 6000, "<script>alert(1)</script>", "\x00", "%00", "\ud800"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=st.sampled_from(list(FIELDS)), values=st.lists(ANY_TEXT, min_size=3, max_size=3))
def test_fuzzed_answers_get_a_page_or_a_redirect_and_store_nothing(client, world, step, values):
    kind = "complain"
    answer(client, kind, "who", {"requester_relationship": "other"})
    data = dict(zip(FIELDS[step], values, strict=False))
    response = client.post(question(kind, step), {k: v.replace("\ud800", "?") for k, v in data.items()})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert not RightsRequest.objects.exists()
