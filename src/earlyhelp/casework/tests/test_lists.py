"""The casework lists: names as the access policy allows, sorting, filtering, paging, bounded queries, and the
dashboard as a short summary of them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import Channel, ConsentAtReferral, ContactSource, PlanAction, Review
from earlyhelp.people import services as people
from earlyhelp.people.models import Household, MemberRole
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def _quick_families(world, count, *, lead=None, surname="Quick"):
    """Families of one parent and one child with an open episode in the north team (cheap: no contact, no TAF)."""
    families = []
    for n in range(count):
        household = people.create_household(by=world.front_door, audit_event=False)
        for given, role, born in [("Pat", MemberRole.PARENT_CARER, datetime.date(1990, 1, 1)),
                                  (f"Child{name_suffix(n)}", MemberRole.CHILD, datetime.date(2016, 1, 1))]:
            person = people.create_person(by=world.front_door, given_name=given, family_name=f"{surname}{name_suffix(n)}",
                                          date_of_birth=born, audit_event=False)
            people.add_member(by=world.front_door, household=household, person=person, role=role,
                              start_date=datetime.date(2020, 1, 1), audit_event=False)
        episode = services.open_episode(by=world.manager, household=household, team=world.north)
        if lead:
            services.allocate(by=world.manager, episode=episode, practitioner=lead)
        families.append(household)
    return families


def _rows(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, flags=re.S)


def test_a_lead_sees_the_family_and_children_by_name_with_stage_and_next_review(client, world):
    make_family(world, lead=world.lead, family_name="Okafor")
    client.force_login(world.lead)
    page = client.get(reverse("web:families", args=["mine"])).content.decode()
    assert "Okafor family" in page and "Jamie Okafor" in page and "Riley Okafor" in page
    assert "Allocated, assessment not started" in page and "Lead Tester" in page
    assert 'role="region" aria-label="My families" tabindex="0"' in page  # reflows at 320 px: its own scroll box


def test_names_only_of_families_the_user_may_open(client, world):
    """A partner sees the names of the family whose Team Around the Family they are on, never a restricted family's
    they may not open; a team-mate does not see a restricted family's names in the team's lists either."""
    make_family(world, lead=world.lead, taf=[world.partner], family_name="Shared")
    secret = make_family(world, lead=world.lead, family_name="Secretive", restricted=True, seed=2)
    client.force_login(world.partner)
    page = client.get(reverse("web:families", args=["team-around-the-family"])).content.decode()
    assert "Shared family" in page and "Secretive" not in page
    assert "Allocated, assessment not started" not in page  # a partner's list shows no stage (P8)
    # The rule itself: names only through the access check, and none for a family the user may not open.
    named = policy.with_family_names(world.partner, Household.objects.all(), household="pk")
    assert {policy.family_name(h).name for h in named} == {"Shared family"}
    assert policy.family_name(secret["household"]) == policy.UNNAMED  # read without the check: no names
    client.force_login(world.teammate)
    assert "Secretive" not in client.get(reverse("web:families", args=["mine"])).content.decode()
    assert client.get(reverse("web:families", args=["team"])).status_code == 404  # not a manager: no team list


def test_a_partners_own_sensitive_action_is_listed_as_a_marker(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner], family_name="Marked")
    episode = family["episode"]
    due = episode.opened_on
    for owner, text in [(world.partner, "Refer to CAMHS"), (world.lead, "Visit weekly")]:
        services.add_plan_action(by=world.lead, episode=episode, area_code="HEALTH", need="Low mood", action=text,
                                 owner=owner, intended_outcome="Feeling better", due_date=due)
    # Time passes: the partner's action is now three days overdue.
    PlanAction.objects.filter(owner=world.partner).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(world.partner)
    page = client.get(reverse("web:actions")).content.decode()
    assert "Marked family" in page and "Refer to CAMHS" not in page and "Recorded – special category detail" in page
    assert "Overdue by 3 days" in page
    assert "Visit weekly" not in page  # someone else's action
    client.force_login(world.lead)
    page = client.get(reverse("web:actions")).content.decode()
    assert "Visit weekly" in page and "Refer to CAMHS" not in page


def test_sorting_filtering_and_paging(client, world):
    _quick_families(world, 24, lead=world.lead)
    _quick_families(world, 3, surname="Waiting")  # unallocated
    client.force_login(world.manager)
    url = reverse("web:families", args=["team"])
    first = client.get(url).content.decode()
    assert len(_rows(first)) == 25 and "Showing 1 to 25 of 27 families" in first
    assert 'class="govuk-pagination"' in first and 'aria-current="page"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert len(_rows(second)) == 2
    # Sorted by the family's name, both ways; the header says how.
    descending = client.get(url, {"sort": "-family"}).content.decode()
    assert "Waitingc family" in _rows(descending)[0] and 'aria-sort="descending"' in descending
    ascending = client.get(url, {"sort": "family"}).content.decode()
    assert "Quicka family" in _rows(ascending)[0] and 'aria-sort="ascending"' in ascending
    by_stage = client.get(url, {"sort": "stage"}).content.decode()  # the order a family moves through early help
    assert "Not allocated" in _rows(by_stage)[0] and "Not allocated" not in _rows(by_stage)[3]
    # Filters: stage, lead, overdue; the filter keeps only what matches.
    unallocated = client.get(url, {"stage": "unallocated"}).content.decode()
    assert len(_rows(unallocated)) == 3 and all("Waiting" in row for row in _rows(unallocated))
    assert "Apply filters" in unallocated and "Clear filters" in unallocated
    led = client.get(url, {"lead": world.lead.pk}).content.decode()
    assert "of 24 families" in led
    Review.objects.filter(episode__household__memberships__person__family_name="Waitingb").update(
        due_on=datetime.date(2020, 1, 1))
    overdue = client.get(url, {"overdue": "yes"}).content.decode()
    assert len(_rows(overdue)) == 1 and "Waitingb family" in overdue and "govuk-tag--red" in overdue
    assert "of 26 families" in client.get(url, {"overdue": "no"}).content.decode()
    assert client.get(reverse("web:families", args=["unallocated"])).content.decode().count("Waiting") >= 3


def test_queries_per_page_do_not_grow_with_the_number_of_families(client, world):
    _quick_families(world, 2, lead=world.lead)
    client.force_login(world.manager)
    url = reverse("web:families", args=["team"])
    client.get(url)  # warm the session and caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    _quick_families(world, 20, lead=world.lead, surname="More")
    assert queries() == few


def test_each_list_read_is_audited_with_the_families_it_named(client, world):
    family = make_family(world, lead=world.lead)
    client.force_login(world.lead)
    client.get(reverse("web:families", args=["mine"]))
    event = AuditEvent.objects.filter(event="families.list").latest("sequence")
    assert event.object_ids == [str(family["household"].pk)] or event.object_ids == [family["household"].pk]


def test_the_managers_dashboard_is_a_short_summary_with_links_to_the_lists(client, world):
    _quick_families(world, 3, lead=world.lead)
    _quick_families(world, 2, surname="Waiting")
    client.force_login(world.manager)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Your team&#x27;s open families (5)" in page and "Unallocated families (2)" in page
    assert reverse("web:families", args=["unallocated"]) in page
    assert not re.search(r"F\d{7}", page)  # no family listed one by one
    client.force_login(world.lead)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "My families (3)" in page and "Reviews to hold (3)" in page


def test_overdue_reviews_list_names_the_families(client, world):
    family = make_family(world, lead=world.lead, family_name="Late")
    Review.objects.filter(episode=family["episode"]).update(due_on=datetime.date(2020, 1, 1))
    client.force_login(world.manager)
    page = client.get(reverse("web:overdue-reviews")).content.decode()
    assert "Late family" in page and "Overdue by" in page


def test_contacts_awaiting_a_decision_name_the_child(client, world):
    family = make_family(world, with_episode=False, family_name="Newcomer")
    services.record_contact(
        by=world.front_door, household=family["household"], subject=family["members"][2], team=world.north,
        channel=Channel.PHONE, source=ContactSource.SCHOOL, reason="Attendance has dropped",
        consent_at_referral=ConsentAtReferral.GIVEN, received_at=timezone.now() - datetime.timedelta(days=3))
    client.force_login(world.manager)
    page = client.get(reverse("web:contacts")).content.decode()
    assert "Jamie Newcomer" in page and "waiting 3 days" in page
    assert "Contacts awaiting a decision (1)" in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(world.other_manager)
    assert "Newcomer" not in client.get(reverse("web:contacts")).content.decode()
    client.force_login(world.partner)
    assert client.get(reverse("web:contacts")).status_code == 404


def test_waiting_for_approval_counts_from_when_the_decision_was_asked_for(client, world):
    """The approvals list says how long each decision has waited: since the assessment was sent (or the closure asked
    for), not since the episode opened a year ago; the longest wait first."""
    family = make_family(world, lead=world.lead, family_name="Sentin")
    episode = family["episode"]
    episode.opened_on = timezone.localdate() - datetime.timedelta(days=365)
    episode.save(update_fields=["opened_on"])
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    services.record_assessment(by=world.lead, assessment=assessment, analysis="Going well", voice_of_child="Fine",
                               findings={"HEALTH": {"strengths": "Sleeps", "needs": "Sleep", "score": 2}})
    services.submit_assessment(by=world.lead, assessment=assessment)
    assessment.refresh_from_db()
    assessment.started_on = timezone.localdate() - datetime.timedelta(days=30)
    assessment.completed_on = timezone.localdate() - datetime.timedelta(days=4)
    assessment.save(update_fields=["started_on", "completed_on"])
    closing = make_family(world, lead=world.lead, family_name="Closer", seed=2)["episode"]
    services.request_closure(by=world.lead, episode=closing, reason="outcomes_met", summary="Going well",
                             feedback_declined=True)
    closing.refresh_from_db()
    closing.closure_requested_at -= datetime.timedelta(days=9)
    closing.save(update_fields=["closure_requested_at"])
    client.force_login(world.manager)
    page = client.get(reverse("web:families", args=["awaiting-approval"])).content.decode()
    rows = _rows(page)
    assert "Waiting since" in page and "Opened" not in page
    assert len(rows) == 2 and "Closer family" in rows[0] and "Sentin family" in rows[1]  # longest wait first
    assert "9 days ago" in rows[0] and "4 days ago" in rows[1]
    assert "365 days" not in page


def test_a_lists_filters_are_not_labelled_optional(client, world):
    """Every filter is a choice, so none says "(optional)" (the form kit adds it to optional fields of forms)."""
    _quick_families(world, 1, lead=world.lead)
    client.force_login(world.manager)
    page = client.get(reverse("web:families", args=["team"])).content.decode()
    assert "Filter the list" in page and ">Lead practitioner</label>" in page
    assert "(optional)" not in page


def test_a_dashboards_counts_are_kept_a_short_while_and_counted_again_after_the_users_own_change(client, world,
                                                                                               settings):
    """Counting costs a dozen queries over every family the user may open, so the counts are kept for
    EARLYHELP_DASHBOARD_FRESH_SECONDS: someone else's change shows when they are counted again, the user's own at
    once; the page says when they were counted."""
    settings.EARLYHELP_DASHBOARD_FRESH_SECONDS = 30
    cache.clear()
    first = make_family(world, lead=world.lead, family_name="First")
    client.force_login(world.lead)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "My families (1)" in page and 'id="counted-at"' in page
    make_family(world, lead=world.lead, family_name="Second", seed=2)  # the manager allocates another
    assert "My families (1)" in client.get(reverse("web:dashboard")).content.decode()  # kept
    services.start_assessment(by=world.lead, episode=first["episode"], reason="Attendance")  # the lead's own change
    assert "My families (2)" in client.get(reverse("web:dashboard")).content.decode()
    cache.clear()  # as when the kept counts expire
    make_family(world, lead=world.lead, family_name="Third", seed=3)
    assert "My families (3)" in client.get(reverse("web:dashboard")).content.decode()
    settings.EARLYHELP_DASHBOARD_FRESH_SECONDS = 0  # counted on every visit
    make_family(world, lead=world.lead, family_name="Fourth", seed=4)
    assert "My families (4)" in client.get(reverse("web:dashboard")).content.decode()
