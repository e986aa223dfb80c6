"""Approval pages show what is approved; closing with open plan actions needs a reason; overdue actions are flagged
(issue 14)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import messages, services
from earlyhelp.casework.models import Episode, EpisodeStatus, PlanAction, action_is_overdue
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.promise("P10")


@pytest.fixture
def family(world):
    """A family whose episode opened 60 days ago, with an approved-or-not assessment left to the test."""
    family = make_family(world, lead=world.lead)
    episode = family["episode"]
    Episode.objects.filter(pk=episode.pk).update(opened_on=timezone.localdate() - datetime.timedelta(days=60))
    episode.refresh_from_db()
    return family


def _action(world, episode, text, *, days_from_today):
    return services.add_plan_action(by=world.lead, episode=episode, area_code="EDUCATION", need="Attendance",
                                    action=text, owner=world.lead, intended_outcome="On time",
                                    due_date=timezone.localdate() + datetime.timedelta(days=days_from_today))


def test_approve_the_assessment_shows_its_findings_analysis_and_the_childs_voice(client, world, family):
    episode = family["episode"]
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="Attendance has dropped")
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="I miss my friends",
                               analysis="Mornings are chaotic since the move",
                               findings={"EDUCATION": {"strengths": "Loves reading", "needs": "Late most days",
                                                       "score": 2}})
    services.submit_assessment(by=world.lead, assessment=assessment)
    client.force_login(world.manager)
    page = client.get(reverse("web:assessment-decide", args=[family["household"].pk])).content.decode()
    for shown in ["Attendance has dropped", "I miss my friends", "Mornings are chaotic since the move",
                  "Loves reading", "Late most days", "Findings by headline area", "Areas that do not apply"]:
        assert shown in page, shown


def test_approve_the_closure_shows_the_reason_summary_feedback_and_open_actions_flagged_overdue(client, world,
                                                                                                family):
    episode = family["episode"]
    _action(world, episode, "Breakfast club place", days_from_today=-3)
    done = _action(world, episode, "Homework club", days_from_today=-5)
    services.update_action_progress(by=world.lead, item=done, status="done", progress_note="Going every week")
    services.request_closure(by=world.lead, episode=episode, reason="moved", summary="Moved to Leeds in June",
                             family_feedback="Thank you for the help", open_actions_reason="They moved away")
    client.force_login(world.manager)
    page = client.get(reverse("web:closure-decide", args=[family["household"].pk])).content.decode()
    for shown in ["Moved out of area", "Moved to Leeds in June", "Thank you for the help", "They moved away",
                  "Breakfast club place", "Overdue", "3 days overdue"]:
        assert shown in page, shown
    assert "Homework club" not in page  # done: not an open action


def test_closing_with_open_actions_is_refused_without_a_reason_and_accepted_with_one(client, world, family):
    episode, household = family["episode"], family["household"]
    action = _action(world, episode, "Breakfast club place", days_from_today=10)
    closing = {"reason": "withdrew", "summary": "The family no longer wants support", "feedback_declined": True}
    with pytest.raises(ValidationError) as refused:
        services.request_closure(by=world.lead, episode=episode, **closing)
    assert refused.value.message_dict["open_actions_reason"] == [messages.ENTER_OPEN_ACTIONS_REASON]
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN

    client.force_login(world.lead)
    url = reverse("web:closure-request", args=[household.pk])
    form_page = client.get(url).content.decode()
    assert "Breakfast club place" in form_page and 'name="open_actions_reason"' in form_page
    posted = {"reason": "withdrew", "summary": "The family no longer wants support", "feedback_declined": "on"}
    refused_page = client.post(url, posted)
    assert refused_page.status_code == 200 and messages.ENTER_OPEN_ACTIONS_REASON in refused_page.content.decode()
    assert client.post(url, {**posted, "open_actions_reason": "They said they want no more contact"}).status_code \
        == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSURE_REQUESTED
    assert episode.open_actions_reason == "They said they want no more contact"
    event = AuditEvent.objects.get(event="episode.request_closure")
    assert event.metadata["open_actions"] == [action.pk] and event.metadata["open_actions_reason_given"] is True

    services.decide_closure(by=world.manager, episode=episode, approve=False, comment="Talk to the family first")
    episode.refresh_from_db()
    assert episode.open_actions_reason == ""  # a new request gives its own reason


def test_closing_with_every_action_done_needs_no_reason(world, family):
    episode = family["episode"]
    action = _action(world, episode, "Breakfast club place", days_from_today=10)
    services.update_action_progress(by=world.lead, item=action, status="dropped", progress_note="Not needed")
    services.request_closure(by=world.lead, episode=episode, reason="outcomes_met", summary="Attending well",
                             feedback_declined=True)
    assert AuditEvent.objects.get(event="episode.request_closure").metadata["open_actions"] == []


def test_an_action_due_today_is_not_overdue_and_one_due_yesterday_is(client, world, family):
    episode = family["episode"]
    today = _action(world, episode, "Due today", days_from_today=0)
    yesterday = _action(world, episode, "Due yesterday", days_from_today=-1)
    assert (today.days_overdue, yesterday.days_overdue) == (0, 1)
    assert list(PlanAction.objects.filter(action_is_overdue())) == [yesterday]
    services.update_action_progress(by=world.lead, item=yesterday, status="done", progress_note="Done")
    yesterday.refresh_from_db()
    assert yesterday.days_overdue == 0 and not PlanAction.objects.filter(action_is_overdue()).exists()

    late = _action(world, episode, "Due last week", days_from_today=-7)
    client.force_login(world.lead)
    page = client.get(reverse("web:family", args=[family["household"].pk])).content.decode()
    plan = page[page.index('id="plan"'):page.index('id="reviews"')]
    assert plan.count("govuk-tag--red\">Overdue") == 1 and "7 days overdue" in plan
    assert late.days_overdue == 7
