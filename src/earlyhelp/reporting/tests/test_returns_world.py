"""Quick families for the returns, Annex A and performance tests: rows made directly (not through the services), so
a test can place assessments, reviews and closures on exact dates. Synthetic data only."""

import datetime
import itertools

import pytest
from django.utils import timezone

from earlyhelp.casework.models import (
    Assessment,
    AssessmentMember,
    ClosureReason,
    Contact,
    Episode,
    EpisodeStatus,
    Plan,
    Review,
)
from earlyhelp.people.models import Household, Membership, MemberRole, Person
from earlyhelp.programme.models import Descriptor, Need, NeedProgress, NeedStatus, ProgressOccasion

_references = itertools.count(1)


def quick_family(world, *, team=None, opened_on, closed_on=None, children=(("male", "WBRI", datetime.date(2015, 1, 2)),),
                 assessment_started=None, assessment_completed=None, plan=False, reviews=(), contact_on=None):
    """A family of one parent and the given children (gender, ethnicity, date of birth), with an episode opened on
    `opened_on` (closed on `closed_on`), and optionally an assessment, a plan and reviews (due, held) on given days."""
    team = team or world.north
    household = Household.objects.create(reference=f"R{next(_references):06d}")
    people = []
    for role, (gender, ethnicity, born) in [(MemberRole.PARENT_CARER, ("female", "WBRI", datetime.date(1985, 1, 1))),
                                            *[(MemberRole.CHILD, child) for child in children]]:
        person = Person.objects.create(given_name="Test", family_name="Person", date_of_birth=born, gender=gender,
                                       ethnicity=ethnicity)
        Membership.objects.create(household=household, person=person, role=role, start_date=datetime.date(2010, 1, 1))
        people.append((person, role))
    contact = None
    if contact_on:
        contact = Contact.objects.create(
            household=household, subject=people[-1][0], channel="phone", source="school",
            received_at=timezone.make_aware(datetime.datetime.combine(contact_on, datetime.time(10))),
            reason="Synthetic", consent_at_referral="given", recorded_by=world.front_door, team=team)
    closed = {"status": EpisodeStatus.CLOSED, "closed_on": closed_on, "closed_by": world.manager,
              "closure_reason": ClosureReason.OUTCOMES_MET, "is_current": True} if closed_on else {}
    episode = Episode.objects.create(household=household, team=team, opened_on=opened_on, **closed)
    if assessment_started:
        assessment = Assessment.objects.create(episode=episode, started_on=assessment_started,
                                               completed_on=assessment_completed, reason="Synthetic",
                                               completed_by=world.lead)
        for person, role in people:
            AssessmentMember.objects.create(assessment=assessment, person=person, role=role)
    if plan:  # made on the day the assessment started (created_at is set on creation, so moved after)
        made = Plan.objects.create(episode=episode, created_by=world.lead)
        on = assessment_started or opened_on
        Plan.objects.filter(pk=made.pk).update(
            created_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))))
    for due, held in reviews:
        Review.objects.create(episode=episode, due_on=due, held_on=held, summary="Held" if held else "",
                              recorded_by=world.lead if held else None)
    return {"household": household, "episode": episode, "people": people, "contact": contact}


def quick_need(world, family, *, area_code, identified_on, status=NeedStatus.OPEN, scores=()):
    """A need on the family's episode, with progress (occasion, score, recorded on) if given."""
    descriptor = Descriptor.objects.filter(area__code=area_code).order_by("pk").first()
    need = Need.objects.create(household=family["household"], episode=family["episode"], descriptor=descriptor,
                               evidence="Synthetic", identified_on=identified_on, identified_by=world.lead,
                               status=status)
    for occasion, score, on in scores:
        review = None
        if occasion == ProgressOccasion.REVIEW:  # progress at a review names the review
            review = Review.objects.create(episode=family["episode"], due_on=on, held_on=on, summary="Held",
                                           recorded_by=world.lead)
        NeedProgress.objects.create(need=need, occasion=occasion, score=score, evidence="Synthetic",
                                    recorded_on=on, recorded_by=world.lead, review=review)
    return need


BASELINE, REVIEW = ProgressOccasion.BASELINE, ProgressOccasion.REVIEW


@pytest.mark.django_db
def test_a_quick_family_has_its_episode_assessment_and_children(world):
    family = quick_family(world, opened_on=datetime.date(2025, 1, 1), assessment_started=datetime.date(2025, 1, 2),
                          children=[("male", "WBRI", datetime.date(2015, 1, 1))] * 2)
    assert family["episode"].assessments.get().members.filter(role=MemberRole.CHILD).count() == 2
