"""Team Around the Family reviews: each recorded once, the next one scheduled while the episode is open."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit.models import Action
from earlyhelp.organisations.models import User
from earlyhelp.programme.models import ProgressOccasion
from earlyhelp.programme.services import needs as programme_needs

from .. import messages
from ..models import Review
from ._common import _audit, _require, _today


@transaction.atomic
def record_review(*, by: User, review: Review, held_on: datetime.date, summary: str, family_view: str = "",
                  next_review_due: datetime.date | None = None, progress: dict | None = None) -> Review:
    """Record a review, with progress on every open Supporting Families need of the episode (`progress`:
    need id -> (score 1 to 5, evidence)); nothing is written unless every need has both."""
    episode = review.episode
    _require(by, episode.household_id, "can_work_on_case")
    review = Review.objects.select_for_update().get(pk=review.pk)  # two people recording at once: one wins
    errors = {}
    if review.held_on:
        errors["__all__"] = "This review has already been recorded"
    if held_on > _today():
        errors["held_on"] = "The date of the review must be today or in the past"
    if held_on < episode.opened_on:
        errors["held_on"] = "The date of the review must be after the episode opened"
    if not summary.strip():
        errors["summary"] = messages.ENTER_REVIEW_SUMMARY
    if next_review_due and next_review_due <= held_on:
        errors["next_review_due"] = "The next review must be after this one"
    needs = programme_needs.needs_to_score(episode)
    errors.update(programme_needs.validate_progress(needs, progress or {}))
    if errors:
        raise ValidationError(errors)
    review.held_on, review.summary, review.family_view, review.recorded_by = (
        held_on, summary.strip(), family_view.strip(), by)
    review.save()
    if needs:
        programme_needs.record_progress(by=by, needs=needs, scores=progress, occasion=ProgressOccasion.REVIEW,
                                        on=held_on, review=review)
    if episode.is_open:
        Review.objects.create(episode=episode, due_on=next_review_due or held_on + datetime.timedelta(
            weeks=settings.EARLYHELP_REVIEW_INTERVAL_WEEKS))
    _audit(by, Action.CHANGE, "review.record", review, episode.household_id)
    return review
