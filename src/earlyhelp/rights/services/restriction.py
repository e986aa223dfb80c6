"""Restricting the use of a person's record (UK GDPR Article 18): an approved request starts a restriction, and
lifting it is recorded on the restriction, which stays. What a restriction does to the rest of the system is
`access.restrictions`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import Action

from .. import messages
from ..models import ProcessingRestriction
from ._common import not_future, raise_errors, record_event, require_handler


def start_restriction(*, by, request, reason: str) -> ProcessingRestriction:
    """An approved restriction request starts one on the person's record, in the decision's transaction."""
    return ProcessingRestriction.objects.create(person_id=request.subject_id, request=request, reason=reason.strip(),
                                                started_by=by, started_at=timezone.now())


@transaction.atomic
def lift_restriction(*, by, restriction, reason: str, person_told_on: datetime.date) -> ProcessingRestriction:
    """Lifting is recorded on the restriction, which stays. The person is told first (Article 18(3))."""
    require_handler(by)
    restriction = ProcessingRestriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.is_active:
        raise ValidationError("This restriction has already been lifted")
    errors = {}
    if not reason.strip():
        errors["reason"] = messages.ENTER_LIFT_REASON
    if person_told_on is None:
        errors["person_told_on"] = messages.ENTER_PERSON_TOLD_ON
    else:
        not_future(errors, "person_told_on", person_told_on, "The date you told the person")
        if person_told_on < timezone.localdate(restriction.started_at):
            errors["person_told_on"] = "The date you told the person must be after the restriction started"
    raise_errors(errors)
    restriction.lifted_by, restriction.lifted_at = by, timezone.now()
    restriction.lift_reason, restriction.person_told_on = reason.strip(), person_told_on
    restriction.save()
    record_event(by, Action.CHANGE, "processing_restriction.lift", restriction.request, restriction_id=restriction.pk,
           person_id=restriction.person_id)
    return restriction
