"""Episodes: opening one (from a contact or by a manager) and moving between early help and children's
social care (step-down on the way in, step-up on the way out)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit.models import Action
from earlyhelp.organisations.models import Team, User
from earlyhelp.people.models import Household, Marker, MarkerKind, MemberRole
from earlyhelp.programme.services import needs as programme_needs

from .. import messages
from ..models import (
    ClosureReason,
    Contact,
    ContactSource,
    Episode,
    EpisodeStatus,
    Review,
    Transition,
    TransitionKind,
)
from ._common import _audit, _require, _today


def _open_episode(*, by, household, team, contact=None, opened_on=None) -> Episode:
    try:
        with transaction.atomic():
            household.episodes.current().filter(status=EpisodeStatus.CLOSED).update(is_current=False)
            episode = Episode.objects.create(household=household, team=team, contact=contact,
                                             opened_on=opened_on or _today())
    except IntegrityError as error:
        if household.episodes.open().exists():
            raise ValidationError("This family already has an open early help episode") from error
        raise
    Review.objects.create(episode=episode, due_on=episode.opened_on + datetime.timedelta(
        weeks=settings.EARLYHELP_REVIEW_INTERVAL_WEEKS))
    # Needs the data team confirmed from partner data before the family had an episode join this one.
    attached = programme_needs.attach_to_episode(household_id=household.pk, episode_id=episode.pk)
    _audit(by, Action.CREATE, "episode.open", episode, household.pk, **({"needs_attached": attached} if attached else {}))
    return episode


@transaction.atomic
def open_episode(*, by: User, household: Household, team: Team, opened_on=None) -> Episode:
    if not policy.manages_team(by, team.pk):
        raise PermissionDenied("Only a manager of the team can open an episode for it")
    ensure_not_restricted(household=household)
    return _open_episode(by=by, household=household, team=team, opened_on=opened_on)


def open_episode_from_contact(*, by: User, contact: Contact, reason: str) -> Episode:
    """The episode a manager's decision on a contact opens. Called by `intake.decide_contact`, which has checked
    the manager's access and owns the transaction. A contact from children's social care is a step-down: it is
    recorded as the episode's first transition."""
    episode = _open_episode(by=by, household=contact.household, team=contact.team, contact=contact)
    if contact.source == ContactSource.CSC:
        Transition.objects.create(episode=episode, kind=TransitionKind.STEP_DOWN, occurred_on=_today(),
                                  reason=reason.strip() or contact.reason, decided_by=by)
        _audit(by, Action.CREATE, "episode.step_down", episode, episode.household_id)
    return episode


@transaction.atomic
def step_up(*, by: User, episode: Episode, reason: str) -> Transition:
    """A manager steps the family up to children's social care: the episode closes and the children
    are marked as open to CSC, a marker partners may see."""
    _require(by, episode.household_id, "can_manage")
    if not episode.is_open:
        raise ValidationError("This episode is already closed")
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_STEP_UP_REASON})
    transition = Transition.objects.create(episode=episode, kind=TransitionKind.STEP_UP, occurred_on=_today(),
                                           reason=reason.strip(), decided_by=by)
    episode.status, episode.closure_reason, episode.closure_summary = (
        EpisodeStatus.CLOSED, ClosureReason.STEPPED_UP, reason.strip())
    episode.closed_by, episode.closed_on = by, _today()
    episode.closure_requested_by = episode.closure_requested_by or by
    episode.family_feedback_declined = True
    episode.save()
    episode.reviews.filter(held_on__isnull=True).delete()
    for membership in episode.household.memberships.filter(end_date__isnull=True, role=MemberRole.CHILD):
        Marker.objects.get_or_create(person=membership.person, kind=MarkerKind.OPEN_TO_CSC, end_date=None,
                                     defaults={"start_date": _today(), "recorded_by": by})
    _audit(by, Action.CHANGE, "episode.step_up", episode, episode.household_id)
    return transition
