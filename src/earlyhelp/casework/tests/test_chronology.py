"""A family's chronology (issue 14): every event in date order, filtered by kind and date, paged; a partner sees
only the sections shared with them, with special category detail as a marker; the read is audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework import chronology, services
from earlyhelp.casework.chronology import PER_PAGE, RESTRICTED, Kind
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.promise("P8", "P16", "P2")


def _url(household):
    return reverse("web:family-chronology", args=[household.pk])


def _events(client, user, household, **query):
    client.force_login(user)
    response = client.get(_url(household), query)
    assert response.status_code == 200
    return response, list(response.context["events"].object_list)


def _note(world, episode, text, *, days_ago, sensitive=False):
    return services.add_case_note(by=world.lead, episode=episode, text=text, is_sensitive=sensitive,
                                  occurred_at=timezone.now() - datetime.timedelta(days=days_ago))


@pytest.fixture
def family(world):
    family = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["notes"])
    episode = family["episode"]
    _note(world, episode, "Met Alex at home", days_ago=3)
    _note(world, episode, "Health visitor worried about sleep", days_ago=2, sensitive=True)
    services.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                             action="Breakfast club place", owner=world.partner, intended_outcome="On time",
                             due_date=episode.opened_on + datetime.timedelta(days=30))
    services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Homework",
                             action="Homework club on Tuesdays", owner=world.lead, intended_outcome="Homework done",
                             due_date=episode.opened_on + datetime.timedelta(days=30))
    return family


def test_every_kind_of_event_in_date_order_newest_first_or_oldest_first(client, world, family):
    _, events = _events(client, world.lead, family["household"])
    whens = [event.when for event in events]
    assert whens == sorted(whens, reverse=True)
    kinds = {event.kind for event in events}
    assert {Kind.CONTACT, Kind.EPISODE, Kind.CONSENT, Kind.TAF, Kind.ASSESSMENT, Kind.PLAN, Kind.NOTE} <= kinds
    titles = [event.title for event in events]
    assert "Assessment started" in titles and any(t.startswith("Lead practitioner allocated") for t in titles)
    _, oldest = _events(client, world.lead, family["household"], order="oldest")
    assert [event.when for event in oldest] == sorted(whens)
    assert oldest[0].kind == Kind.CONTACT  # the referral came first


def test_filtered_by_kind_and_by_date(client, world, family):
    _, notes = _events(client, world.lead, family["household"], kinds=[Kind.NOTE])
    assert [event.detail for event in notes] == ["Health visitor worried about sleep", "Met Alex at home"]
    day = timezone.localdate() - datetime.timedelta(days=3)
    _, that_day = _events(client, world.lead, family["household"], kinds=[Kind.NOTE, Kind.ASSESSMENT],
                          date_from_day=day.day, date_from_month=day.month, date_from_year=day.year,
                          date_to_day=day.day, date_to_month=day.month, date_to_year=day.year)
    assert [event.detail for event in that_day] == ["Met Alex at home"]


def test_a_long_chronology_is_paged_and_the_pages_keep_the_filter(client, world, family):
    for n in range(PER_PAGE + 3):
        _note(world, family["episode"], f"Visit {n}", days_ago=10 + n)
    response, first = _events(client, world.lead, family["household"], kinds=[Kind.NOTE])
    assert len(first) == PER_PAGE
    page = response.content.decode()
    assert 'class="govuk-pagination"' in page and f"kinds={Kind.NOTE}&amp;page=2" in page
    _, second = _events(client, world.lead, family["household"], kinds=[Kind.NOTE], page=2)
    assert len(second) == 5 and second[-1].detail == f"Visit {PER_PAGE + 2}"


def test_a_partner_sees_only_their_sections_and_special_category_detail_as_a_marker(client, world, family):
    response, events = _events(client, world.partner, family["household"])
    kinds = {event.kind for event in events}
    # Notes were shared; the assessment and the plan were not, but the action given to the partner is theirs.
    assert Kind.NOTE in kinds and Kind.PLAN in kinds
    assert not kinds & {Kind.ASSESSMENT, Kind.CONTACT, Kind.CONSENT, Kind.SHARING, Kind.DOCUMENT, Kind.REVIEW}
    assert [event.detail for event in events if event.kind == Kind.PLAN] == ["Breakfast club place"]
    notes = [event.detail for event in events if event.kind == Kind.NOTE]
    assert notes == [RESTRICTED, "Met Alex at home"]
    page = response.content.decode()
    assert "worried about sleep" not in page and "Homework club" not in page and "Recorded – restricted" in page
    assert [value for value, _ in response.context["form"].fields["kinds"].choices] == [Kind.EPISODE, Kind.TAF,
                                                                                         Kind.PLAN, Kind.NOTE]
    # Asking for a section they do not see shows nothing from it.
    _, asked = _events(client, world.partner, family["household"], kinds=[Kind.ASSESSMENT])
    assert {event.kind for event in asked} <= {Kind.EPISODE, Kind.TAF, Kind.PLAN, Kind.NOTE}
    assert Kind.ASSESSMENT not in {event.kind for event in asked}


def test_reading_the_chronology_is_audited_and_a_stranger_gets_an_audited_404(client, world, family):
    household = family["household"]
    _events(client, world.lead, household, kinds=[Kind.NOTE], page=1)
    read = AuditEvent.objects.get(event="household.chronology", actor=world.lead)
    assert (read.action, read.household_id) == (Action.VIEW, household.pk)
    assert read.metadata["kinds"] == [Kind.NOTE] and read.metadata["events"] == 2
    client.force_login(world.other_partner)
    assert client.get(_url(household)).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.other_partner,
                                     household_id=household.pk).exists()
    assert not AuditEvent.objects.filter(event="household.chronology", actor=world.other_partner).exists()


def test_the_family_page_shows_the_latest_events_and_links_to_the_chronology(client, world, family):
    client.force_login(world.lead)
    response = client.get(reverse("web:family", args=[family["household"].pk]))
    latest = response.context["latest_events"]
    assert len(latest) == 5 and latest[0].when >= latest[-1].when
    assert _url(family["household"]) in response.content.decode()


def test_the_family_pages_latest_events_are_the_newest_of_the_whole_chronology(world, family):
    """The preview reads only each kind's newest rows; whatever the count, and for every viewer, its events are the
    newest of the whole chronology, status changes from the history (sent for approval, approved) among them."""
    episode = family["episode"]
    for days_ago in (40, 30, 20, 10, 1):
        _note(world, episode, f"Visit {days_ago} days ago", days_ago=days_ago)
    assessment = episode.assessments.get()
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="Fine", analysis="Going well",
                               findings={"HEALTH": {"strengths": "Sleeps", "needs": "Sleep", "score": 2}})
    services.submit_assessment(by=world.lead, assessment=assessment)
    services.decide_assessment(by=world.manager, assessment=assessment, approve=True, comment="Agreed")
    for viewer in (world.lead, world.manager, world.partner):
        access = policy.family_access(viewer, family["household"].pk)
        whole = [(e.when, e.title, e.detail) for e in chronology._filtered(access, viewer)[2]]
        for count in range(1, 12):
            latest = [(e.when, e.title, e.detail) for e in chronology.latest_events(access, viewer, count=count)]
            assert latest == whole[:count], (viewer, count)
    lead = policy.family_access(world.lead, family["household"].pk)
    lead_titles = [e.title for e in chronology.latest_events(lead, world.lead, count=4)]
    assert "Assessment approved" in lead_titles and "Assessment submitted for approval" in lead_titles


def test_each_kinds_bound_is_no_earlier_than_its_newest_event(world, family):
    """The preview skips a kind whose bound is earlier than the newest events it has found: a bound earlier than the
    kind's newest event would drop that event from the preview. Every kind on this record is checked against the
    whole chronology (a Team Around the Family member who has left dates that kind twice); a kind with no events
    has no bound."""
    member = family["episode"].taf_members.get(practitioner=world.partner)
    services.end_taf_member(by=world.lead, member=member)
    access = policy.family_access(world.lead, family["household"].pk)
    whole = chronology._filtered(access, world.lead)[2]
    kinds = chronology.kinds_visible(access)
    bounds = chronology._Reader(access, world.lead).bounds(kinds)
    newest = {}
    for event in whole:
        newest[event.kind] = max(newest.get(event.kind, event.when), event.when)
    assert {Kind.CONTACT, Kind.EPISODE, Kind.CONSENT, Kind.TAF, Kind.ASSESSMENT, Kind.PLAN, Kind.NOTE} <= set(newest)
    for kind, when in newest.items():
        assert bounds[kind] is not None and bounds[kind] >= when, kind
    for kind in set(kinds) - set(newest):
        assert bounds[kind] is None, kind
