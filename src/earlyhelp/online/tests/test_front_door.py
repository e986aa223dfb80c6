"""The front door's side of requests made online (issue 15, item 6; P22, P13): only roles that see contacts see them;
the proposed details sit beside the officer's search; recording one makes a contact with channel "web" exactly as
the intake rule makes any contact, and only about the person the officer picked."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework.models import Channel, Contact, ContactStatus
from earlyhelp.online import intake, services
from earlyhelp.online.models import HelpRequest, RequestStatus
from earlyhelp.people.models import Household, Person
from earlyhelp.testing.world import make_family

from .helpers import dob, fill_professional, send

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P22", "P13")]

SEE = {"front_door", "lead", "manager"}
EVERYONE = ["front_door", "lead", "manager", "partner", "data_team", "dpo", "admin"]


@pytest.fixture
def sent(world):
    visitor = Client()
    help_request = fill_professional(visitor)
    send(visitor)
    help_request.refresh_from_db()
    assert help_request.status == RequestStatus.SUBMITTED
    return help_request


@pytest.mark.parametrize("who", EVERYONE)
def test_only_roles_that_see_contacts_see_requests_made_online(client, world, sent, who):
    client.force_login(world.users[who])
    listing = client.get(reverse("online_requests:list"))
    detail = client.get(reverse("online_requests:detail", args=[sent.pk]))
    expected = 200 if who in SEE else 404
    assert (listing.status_code, detail.status_code) == (expected, expected)
    if who in SEE:
        assert sent.reference in listing.content.decode() and ">Web<" in listing.content.decode()
        page = detail.content.decode()
        # The proposed details beside the search, which starts with the name and date of birth given.
        assert "Testtown Primary School" in page and "Alex" in page and 'value="Testfamily"' in page
        assert AuditEvent.objects.filter(event="online.help_request.view", actor=world.users[who]).exists()
    else:
        assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.users[who]).count() >= 2


def test_the_front_door_searches_and_records_the_request_as_a_web_contact(client, world, sent):
    family = make_family(world, family_name="Testfamily", with_episode=False)
    alex = family["members"][0]
    people_before, households_before = Person.objects.count(), Household.objects.count()
    client.force_login(world.front_door)
    url = reverse("online_requests:detail", args=[sent.pk])
    found = client.post(url, {"step": "search", "family_name": "Testfamily", "given_name": "Alex",
                              **dob(datetime.date(1985, 3, 4))})
    assert found.status_code == 200 and f'name="person_id" value="{alex.pk}"' in found.content.decode()
    recorded = client.post(url, {"step": "record", "person_id": alex.pk, "source": "school", "team": world.north.pk})
    contact = Contact.objects.get(subject=alex)
    assert recorded.url == reverse("web:contact", args=[contact.pk])
    # A contact like any other, in the team's queue: channel web, received when the request was sent.
    assert contact.channel == Channel.WEB and contact.status == ContactStatus.AWAITING_DECISION
    assert contact.received_at == sent.submitted_at and contact.team == world.north
    assert contact.household == family["household"] and "Attendance has fallen" in contact.reason
    assert "What the family has been told: Mum asked me" in contact.reason
    assert contact.referrer_name == "Sam Teacher, Designated safeguarding lead, Testtown Primary School"
    assert contact.consent_at_referral == "given"
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECORDED and sent.contact == contact and sent.recorded_by == world.front_door
    assert (Person.objects.count(), Household.objects.count()) == (people_before, households_before)  # P13
    # The team's manager finds it in the contacts queue, marked as a web contact, and filters by channel.
    client.force_login(world.manager)
    queue = client.get(reverse("web:contacts"), {"channel": "web"}).content.decode()
    assert reverse("web:contact", args=[contact.pk]) in queue and ">Web<" in queue
    # Recorded: it leaves the online queue, and cannot be recorded again.
    client.force_login(world.front_door)
    assert sent.reference not in client.get(reverse("online_requests:list")).content.decode()
    assert client.get(url).status_code == 404


def test_only_a_person_from_the_officers_own_search_can_be_picked(client, world, sent):
    family = make_family(world, family_name="Testfamily", with_episode=False)
    client.force_login(world.front_door)
    response = client.post(reverse("online_requests:detail", args=[sent.pk]),
                           {"step": "record", "person_id": family["members"][0].pk, "source": "school",
                            "team": world.north.pk})
    assert response.status_code == 404  # no search: nobody can be picked
    assert not Contact.objects.filter(channel=Channel.WEB).exists()
    assert HelpRequest.objects.get(pk=sent.pk).status == RequestStatus.SUBMITTED


def test_recording_twice_is_refused(world, sent):
    family = make_family(world, family_name="Testfamily", with_episode=False)
    person = family["members"][0]
    intake.record_as_contact(by=world.front_door, help_request=sent, subject=person, team=world.north, source="self")
    with pytest.raises(Exception, match="A decision has already been made"):
        intake.record_as_contact(by=world.front_door, help_request=sent, subject=person, team=world.north,
                                 source="self")
    assert Contact.objects.filter(channel=Channel.WEB).count() == 1


def test_a_draft_is_never_in_the_front_doors_queue(client, world):
    draft = services.start_request(route="self")
    client.force_login(world.front_door)
    assert draft.reference not in client.get(reverse("online_requests:list")).content.decode()
    assert client.get(reverse("online_requests:detail", args=[draft.pk])).status_code == 404


def test_the_front_door_may_close_a_request_without_a_contact_with_a_reason(client, world, sent):
    client.force_login(world.front_door)
    url = reverse("online_requests:detail", args=[sent.pk])
    refused = client.post(url, {"step": "close", "reason": " "})
    assert refused.status_code == 200 and "Enter why the request is being closed" in refused.content.decode()
    assert HelpRequest.objects.get(pk=sent.pk).status == RequestStatus.SUBMITTED
    closed = client.post(url, {"step": "close", "reason": "It repeats a request recorded yesterday"})
    assert closed.url == reverse("online_requests:list")
    sent.refresh_from_db()
    assert sent.status == RequestStatus.CLOSED and sent.closed_by == world.front_door and sent.contact is None
    assert "closed without a contact" in client.get(reverse("online_requests:list")).content.decode()
    assert sent.reference not in client.get(reverse("online_requests:list")).content.decode()  # left the queue
    assert not Contact.objects.exists() and not Person.objects.filter(family_name="Testfamily").exists()
    # Kept for a year after closing, then deleted with the drafts never sent (P4).
    assert services.delete_stale_drafts(now=sent.closed_at + datetime.timedelta(days=364)) == 0
    assert services.delete_stale_drafts(now=sent.closed_at + datetime.timedelta(days=366)) == 1
    assert not HelpRequest.objects.filter(pk=sent.pk).exists()


def test_a_role_that_does_not_see_online_requests_cannot_close_one(world, sent):
    with pytest.raises(Exception, match="does not include requests made online"):
        intake.close_request(by=world.partner, help_request=sent, reason="Not for us")
    assert HelpRequest.objects.get(pk=sent.pk).status == RequestStatus.SUBMITTED
