"""Reads behind the casework lists and the dashboards' counts: one home for which rows each list holds.

Every list starts from the families the user may open (`access.policy`), leaves out families with a restricted member
(UK GDPR Article 18: routine lists do not show them; the dashboard says how many), and reads the families' names for
one page at a time (`policy.with_family_names`).
"""

import datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from earlyhelp.access import policy, restrictions
from earlyhelp.people.models import MemberRole, Membership

from ..models import (
    Assessment,
    AssessmentStatus,
    ContactStatus,
    Episode,
    EpisodeStatus,
    PlanAction,
    Review,
    TafMember,
    episode_is_open,
)

REVIEW_SOON_DAYS = 14  # a review due within this many days is "due soon"


class Stage(TextChoices):
    """Where a family is in early help, in the order a family moves through it."""

    UNALLOCATED = "unallocated", "Not allocated"
    NOT_ASSESSED = "not_assessed", "Allocated, assessment not started"
    ASSESSING = "assessing", "Assessment in progress"
    AWAITING_APPROVAL = "awaiting_approval", "Assessment awaiting approval"
    PLAN = "plan", "Plan and reviews"
    CLOSING = "closing", "Closure awaiting approval"


STAGE_ORDER = {stage: position for position, stage in enumerate(Stage)}


class FamilyList(TextChoices):
    """The lists of families, by who holds them (the URL names the list)."""

    MINE = "mine", "My families"
    TEAM = "team", "Your team's open families"
    UNALLOCATED = "unallocated", "Unallocated families"
    AWAITING_APPROVAL = "awaiting-approval", "Waiting for your approval"
    TEAM_AROUND_THE_FAMILY = "team-around-the-family", "Families whose Team Around the Family you are on"


def family_lists_for(user) -> list[FamilyList]:
    """The lists of families this user has, in the order the dashboard shows them."""
    lists = []
    if policy.manages_team(user, user.team_id):
        lists += [FamilyList.TEAM, FamilyList.UNALLOCATED, FamilyList.AWAITING_APPROVAL]
    if policy.has_permission(user, policy.Permission.LEAD_CASES):
        lists.append(FamilyList.MINE)
    if policy.has_permission(user, policy.Permission.CASEWORK):
        lists.append(FamilyList.TEAM_AROUND_THE_FAMILY)
    return lists


def _with_stage(episodes: QuerySet) -> QuerySet:
    assessments = Assessment.objects.filter(episode=OuterRef("pk"))
    pending_reviews = Review.objects.filter(episode=OuterRef("pk"), held_on__isnull=True).order_by("due_on")
    return episodes.annotate(
        stage=Case(
            When(status=EpisodeStatus.CLOSURE_REQUESTED, then=Value(Stage.CLOSING.value)),
            When(lead_practitioner__isnull=True, then=Value(Stage.UNALLOCATED.value)),
            When(Exists(assessments.filter(status="submitted")), then=Value(Stage.AWAITING_APPROVAL.value)),
            When(Exists(assessments.filter(status="draft")), then=Value(Stage.ASSESSING.value)),
            When(Exists(assessments.filter(status="approved")), then=Value(Stage.PLAN.value)),
            default=Value(Stage.NOT_ASSESSED.value)),
        next_review_due=Subquery(pending_reviews.values("due_on")[:1]),
        # Sorting by name: the family name of its first parent or carer (the name `policy.family_name` leads with).
        family_sort=Subquery(Membership.objects.filter(household=OuterRef("household"), end_date__isnull=True,
                                                       role=MemberRole.PARENT_CARER)
                             .order_by("person__family_name").values("person__family_name")[:1]),
    ).annotate(stage_order=Case(*[When(stage=stage.value, then=Value(position))
                                  for stage, position in STAGE_ORDER.items()], output_field=IntegerField()))


def open_episodes(user) -> QuerySet:
    """Open episodes of the families this user may open, less restricted ones; names readable (one query a page)."""
    episodes = policy.with_family_names(user, Episode.objects.open())
    return restrictions.without_restricted(episodes, household="household")


def families(user, which: FamilyList) -> QuerySet:
    """The open episodes in one of the user's lists of families, with each one's stage and next review."""
    episodes = open_episodes(user)
    if which == FamilyList.MINE:
        episodes = episodes.filter(lead_practitioner=user)
    elif which == FamilyList.TEAM_AROUND_THE_FAMILY:
        episodes = episodes.filter(Exists(TafMember.objects.filter(episode=OuterRef("pk"), practitioner=user,
                                                                   end_date__isnull=True)))
    elif which in (FamilyList.TEAM, FamilyList.UNALLOCATED, FamilyList.AWAITING_APPROVAL) and \
            policy.manages_team(user, user.team_id):
        episodes = episodes.filter(team_id=user.team_id)
        if which == FamilyList.UNALLOCATED:
            episodes = episodes.filter(lead_practitioner__isnull=True)
        elif which == FamilyList.AWAITING_APPROVAL:
            submitted = Assessment.objects.filter(episode=OuterRef("pk"), status=AssessmentStatus.SUBMITTED)
            episodes = episodes.filter(Q(status=EpisodeStatus.CLOSURE_REQUESTED) | Exists(submitted)).annotate(
                # How long the manager's decision has waited: since the closure was asked for, or the assessment
                # was sent for approval (not since the episode opened).
                waiting_since=Case(
                    When(status=EpisodeStatus.CLOSURE_REQUESTED, then=TruncDate("closure_requested_at")),
                    default=Subquery(submitted.order_by("-completed_on").values("completed_on")[:1]),
                    output_field=DateField()))
    else:
        return Episode.objects.none()
    oldest_first = "waiting_since" if which == FamilyList.AWAITING_APPROVAL else "opened_on"
    return _with_stage(episodes.select_related("lead_practitioner", "team")).order_by(oldest_first, "pk")


def team_caseload(team_id) -> list:
    """How a team's open families are spread across the stages of early help (counts only)."""
    episodes = restrictions.without_restricted(Episode.objects.filter(team_id=team_id), household="household").open()
    counts = dict(_with_stage(episodes).order_by().values_list("stage")
                  .annotate(n=Count("pk")).values_list("stage", "n"))
    return [(stage.label, counts.get(stage.value, 0)) for stage in Stage]


def reviews(user) -> QuerySet:
    """Reviews not yet held of the open families this user leads, or their team's if they manage it."""
    episodes = open_episodes(user)
    scope = episodes.filter(team_id=user.team_id) if policy.manages_team(user, user.team_id) \
        else episodes.filter(lead_practitioner=user)
    return (policy.with_family_names(user, Review.objects.filter(episode__in=scope.values("pk"), held_on__isnull=True),
                                     household="episode__household")
            .select_related("episode__lead_practitioner", "episode__team").order_by("due_on", "pk"))


def overdue_reviews(user, *, today: datetime.date | None = None) -> QuerySet:
    """Reviews past their due date, of every open family the user may open (not restricted)."""
    today = today or timezone.localdate()
    visible = restrictions.without_restricted(policy.households_visible_to(user), household="pk")
    rows = (Review.objects.filter(episode__household__in=visible, held_on__isnull=True, due_on__lt=today)
            .filter(episode_is_open("episode")))
    return (policy.with_family_names(user, rows, household="episode__household")
            .select_related("episode__lead_practitioner", "episode__team").order_by("due_on", "pk"))


def actions(user) -> QuerySet:
    """The plan actions given to this user that are not done, on open families they may open."""
    rows = PlanAction.objects.filter(owner=user, plan__episode__in=open_episodes(user).values("pk")) \
        .exclude(status__in=["done", "dropped"])
    return (policy.with_family_names(user, rows, household="plan__episode__household")
            .select_related("area", "plan__episode").order_by("due_date", "pk"))


def contacts_awaiting(user) -> QuerySet:
    """Contacts awaiting a decision that this user may see (less restricted families)."""
    rows = restrictions.without_restricted(policy.contacts_visible_to(user), household="household")
    return (rows.filter(status=ContactStatus.AWAITING_DECISION).select_related("team", "subject", "recorded_by")
            .order_by("received_at", "pk"))
