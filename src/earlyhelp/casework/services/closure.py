"""Closing an episode: the lead practitioner asks, with the family's feedback (P10); a manager decides."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import Action
from earlyhelp.organisations.models import User
from earlyhelp.programme.models import ProgressOccasion
from earlyhelp.programme.services import needs as programme_needs

from .. import messages
from ..models import ClosureReason, Episode, EpisodeStatus, PlanAction, action_is_open
from ._common import _audit, _require, _today


@transaction.atomic
def request_closure(*, by: User, episode: Episode, reason: str, summary: str, family_feedback: str = "",
                    feedback_declined: bool = False, progress: dict | None = None,
                    open_actions_reason: str = "") -> Episode:
    """Ask for closure, with progress on every open Supporting Families need of the episode (`progress`: need
    id -> (score 1 to 5, evidence)); each need is then met or not met by the council's positive score. Nothing
    is written unless every need has both. With plan actions still open, the practitioner says why the episode
    should close before they are done (`open_actions_reason`); the manager sees both when deciding."""
    _require(by, episode.household_id, "can_work_on_case")
    errors = {}
    if episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "Closure can only be requested for an open episode"
    if reason not in ClosureReason.values or reason == ClosureReason.STEPPED_UP:
        errors["reason"] = "Select the reason for closing (to step up, use Step up to children's social care)"
    if not summary.strip():
        errors["summary"] = messages.ENTER_CLOSURE_SUMMARY
    if not family_feedback.strip() and not feedback_declined:
        errors["family_feedback"] = "Enter the family's feedback, or say that they did not want to give any"
    open_actions = list(PlanAction.objects.filter(action_is_open(), plan__episode=episode).values_list("pk", flat=True))
    if open_actions and not open_actions_reason.strip():
        errors["open_actions_reason"] = messages.ENTER_OPEN_ACTIONS_REASON
    needs = programme_needs.needs_to_score(episode)
    errors.update(programme_needs.validate_progress(needs, progress or {}))
    if errors:
        raise ValidationError(errors)
    episode.status, episode.closure_reason, episode.closure_summary = (
        EpisodeStatus.CLOSURE_REQUESTED, reason, summary.strip())
    episode.open_actions_reason = open_actions_reason.strip() if open_actions else ""
    episode.family_feedback, episode.family_feedback_declined = family_feedback.strip(), feedback_declined
    episode.closure_requested_by, episode.closure_requested_at = by, timezone.now()
    episode.save()
    if needs:
        programme_needs.record_progress(by=by, needs=needs, scores=progress, occasion=ProgressOccasion.CLOSURE,
                                        on=_today())
    _audit(by, Action.CHANGE, "episode.request_closure", episode, episode.household_id, reason=reason,
           open_actions=open_actions,
           open_actions_reason_given=bool(episode.open_actions_reason))
    return episode


@transaction.atomic
def decide_closure(*, by: User, episode: Episode, approve: bool, comment: str = "") -> Episode:
    _require(by, episode.household_id, "can_manage")
    if episode.status != EpisodeStatus.CLOSURE_REQUESTED:
        raise ValidationError("There is no closure awaiting approval for this episode")
    if approve:
        episode.status, episode.closed_by, episode.closed_on = EpisodeStatus.CLOSED, by, _today()
        episode.reviews.filter(held_on__isnull=True).delete()
    else:
        if not comment.strip():
            raise ValidationError({"comment": "Enter why the episode should stay open"})
        episode.status, episode.closure_reason, episode.open_actions_reason = EpisodeStatus.OPEN, "", ""
        episode.closure_requested_by = episode.closure_requested_at = None
        programme_needs.return_closure_progress(by=by, episode=episode)
    episode.save()
    _audit(by, Action.CHANGE, "episode.close" if approve else "episode.closure_returned", episode,
           episode.household_id)
    return episode
