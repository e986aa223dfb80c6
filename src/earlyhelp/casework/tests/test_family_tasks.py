"""The family page as a task list (issue 14): the family's name, each stage's status and the next thing to do,
and contents links to every section."""

import datetime
import re

import pytest
from django.urls import reverse

from earlyhelp.casework import services
from earlyhelp.casework.tasklist import Status
from earlyhelp.privacy.services import consent
from earlyhelp.testing.world import give_consent, make_family

pytestmark = pytest.mark.promise("P6", "P8")


def _tasks(client, user, household):
    client.force_login(user)
    tasks = client.get(reverse("web:family", args=[household.pk])).context["tasks"]
    return {task.key: task for task in tasks.tasks}, tasks.next_task


def _recorded(world, assessment):
    return services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="I like school",
                               analysis="Support with mornings",
                               findings={"EDUCATION": {"strengths": "Enjoys art", "needs": "Late most days",
                                                       "score": 2}})


def _submitted(world, episode):
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    _recorded(world, assessment)
    return services.submit_assessment(by=world.lead, assessment=assessment)


def _action(world, episode, *, due_date=None, owner=None):
    return services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                                    action="Walk to school together", owner=owner or world.lead,
                                    intended_outcome="On time every day",
                                    due_date=due_date or episode.opened_on + datetime.timedelta(days=60))


def test_an_unallocated_family_asks_the_manager_to_allocate_first(client, world):
    family = make_family(world)
    tasks, next_task = _tasks(client, world.manager, family["household"])
    assert tasks["allocation"].status == Status.NOT_STARTED
    assert next_task is tasks["allocation"]
    assert next_task.href == reverse("web:allocate", args=[family["household"].pk])


def test_without_the_consent_the_council_needs_the_assessment_and_plan_cannot_start_yet(client, world):
    consent.change_consent_rules(by=world.dpo, support_needs_consent=True, verbal_consent_enough=False,
                                 reason="The council asks for signed consent")
    family = make_family(world, lead=world.lead)
    tasks, next_task = _tasks(client, world.lead, family["household"])
    gap = consent.support_consent_gap(family["household"])
    assert tasks["consent"].status == Status.NOT_STARTED and tasks["consent"].hint == gap
    assert (tasks["assessment"].status, tasks["assessment"].hint, tasks["assessment"].href) == (
        Status.CANNOT_START, gap, "")
    assert tasks["plan"].status == Status.CANNOT_START
    assert next_task is tasks["consent"]
    page = client.get(reverse("web:family", args=[family["household"].pk])).content.decode()
    assert "govuk-task-list__status--cannot-start-yet" in page

    give_consent(world.lead, family["household"], family["members"][0])
    tasks, next_task = _tasks(client, world.lead, family["household"])
    assert tasks["consent"].status == Status.COMPLETED
    assert tasks["assessment"].status == Status.NOT_STARTED
    assert next_task.href == reverse("web:assessment-start", args=[family["household"].pk])


def test_the_assessment_moves_through_each_status_with_the_next_thing_to_do(client, world):
    family = make_family(world, lead=world.lead)
    household, episode = family["household"], family["episode"]
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["allocation"].status == Status.COMPLETED
    assert tasks["consent"].optional  # the demo rule does not make support wait for consent
    assert tasks["assessment"].status == Status.NOT_STARTED and next_task is tasks["assessment"]

    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance")
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["assessment"].status == Status.IN_PROGRESS
    assert next_task.href == reverse("web:assessment-edit", args=[household.pk])

    _recorded(world, assessment)
    services.submit_assessment(by=world.lead, assessment=assessment)
    tasks, _ = _tasks(client, world.lead, household)
    assert (tasks["assessment"].status, tasks["assessment"].href) == (Status.WAITING, "")
    tasks, next_task = _tasks(client, world.manager, household)
    assert next_task is tasks["assessment"]
    assert next_task.href == reverse("web:assessment-decide", args=[household.pk])

    services.decide_assessment(by=world.manager, assessment=assessment, approve=False, comment="Add the analysis")
    tasks, _ = _tasks(client, world.lead, household)
    assert tasks["assessment"].status == Status.IN_PROGRESS and "Returned" in tasks["assessment"].hint

    services.submit_assessment(by=world.lead, assessment=assessment)
    services.decide_assessment(by=world.manager, assessment=assessment, approve=True)
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["assessment"].status == Status.COMPLETED
    assert tasks["plan"].status == Status.NOT_STARTED
    assert next_task.href == reverse("web:action-new", args=[household.pk])


def test_plan_reviews_and_closure_reach_every_status(client, world):
    family = make_family(world, lead=world.lead)
    household, episode = family["household"], family["episode"]
    tasks, _ = _tasks(client, world.lead, household)
    assert tasks["plan"].status == Status.CANNOT_START  # the plan follows the approved assessment
    assert tasks["reviews"].status == Status.NOT_STARTED and "First review due" in tasks["reviews"].hint
    assert tasks["closure"].status == Status.NOT_STARTED

    services.decide_assessment(by=world.manager, assessment=_submitted(world, episode), approve=True)
    action = _action(world, episode)
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["plan"].status == Status.IN_PROGRESS and tasks["plan"].hint == "1 of 1 actions open"
    assert next_task is tasks["plan"]

    services.update_action_progress(by=world.lead, item=action, status="done", progress_note="On time all term")
    services.record_review(by=world.lead, review=episode.reviews.get(), held_on=episode.opened_on,
                           summary="Going well")
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["plan"].status == Status.COMPLETED
    assert tasks["reviews"].status == Status.IN_PROGRESS and "Next review due" in tasks["reviews"].hint
    assert next_task is tasks["reviews"]

    services.request_closure(by=world.lead, episode=episode, reason="outcomes_met", summary="Attending well",
                             feedback_declined=True)
    tasks, _ = _tasks(client, world.lead, household)
    assert (tasks["closure"].status, tasks["closure"].href) == (Status.WAITING, "")
    tasks, next_task = _tasks(client, world.manager, household)
    assert next_task is tasks["closure"]
    assert next_task.href == reverse("web:closure-decide", args=[household.pk])

    services.decide_closure(by=world.manager, episode=episode, approve=True)
    tasks, next_task = _tasks(client, world.lead, household)
    assert tasks["closure"].status == Status.COMPLETED and tasks["reviews"].status == Status.COMPLETED
    assert next_task is None


def test_a_partner_sees_only_the_stages_shared_with_them_and_no_links(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    tasks, next_task = _tasks(client, world.partner, family["household"])
    assert set(tasks) == {"allocation", "closure"}  # the minimum: no consent, assessment, plan or reviews
    assert next_task is None and not any(task.href for task in tasks.values())


def test_the_heading_is_the_family_name_and_the_contents_link_to_every_section(client, world):
    family = make_family(world, lead=world.lead, family_name="Okafor")
    client.force_login(world.lead)
    page = client.get(reverse("web:family", args=[family["household"].pk])).content.decode()
    heading = re.search(r'<h1 class="govuk-heading-xl">(.*?)</h1>', page, re.S).group(1)
    assert heading.strip() == "Okafor family"
    nav = re.search(r'<nav[^>]*aria-labelledby="contents-title">(.*?)</nav>', page, re.S).group(1)
    anchors = re.findall(r'href="#([\w-]+)"', nav)
    assert {"tasks", "household", "episode", "consent", "assessment", "plan", "reviews", "notes", "chronology"} \
        <= set(anchors)
    assert [anchor for anchor in anchors if f'id="{anchor}"' not in page] == []
    sections = set(re.findall(r'<h2 class="govuk-heading-l" id="([\w-]+)"', page))
    assert sections <= set(anchors), "every section of the page is in the contents"


def test_a_family_with_several_surnames_is_named_by_each_once_and_a_viewer_without_the_household_sees_the_reference():
    from types import SimpleNamespace

    from earlyhelp.access import policy

    def member(surname, current=True):
        return SimpleNamespace(person=SimpleNamespace(family_name=surname), is_current=current, role="parent_carer")

    household = SimpleNamespace(reference="F0000042")
    sees = SimpleNamespace(household=household, shows=lambda section: True)
    members = [member("Okafor"), member("Smith"), member("Okafor"), member("Jones"), member("Gone", current=False)]
    assert policy.page_family_name(sees, members) == "Okafor, Smith and Jones family"
    assert policy.page_family_name(sees, members[:2]) == "Okafor and Smith family"
    assert policy.page_family_name(sees, []) == "Family F0000042"
    hidden = SimpleNamespace(household=household, shows=lambda section: section != policy.Section.HOUSEHOLD)
    assert policy.page_family_name(hidden, members) == "Family F0000042"
