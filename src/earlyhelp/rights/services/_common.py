"""What every rights service shares: who may act, the audit event, the lock, and the checks on a request's state
and on dates. Internal to `rights.services`."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Purpose

from .. import deadlines, messages
from ..models import OPEN_STATUSES, RequestStatus, RightsRequest

PURPOSE = Purpose.RIGHTS_REQUESTS


def today() -> datetime.date:
    return timezone.localdate()


def require_handler(by):
    if not policy.has_permission(by, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied(messages.ONLY_THE_DPO_HANDLES_REQUESTS)


def record_event(by, action, event, request, **metadata):
    """One event per change, about the request; other records it touched are named by id in the metadata."""
    audit.record(actor=by, action=action, event=event, purpose=PURPOSE, objects=[request],
                 metadata={"kind": request.kind, "status": request.status, **metadata})


def locked(request) -> RightsRequest:
    """The request as it is now, locked for this transaction: two people acting at once cannot both win."""
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


def raise_errors(errors):
    if errors:
        raise ValidationError(errors)


def not_future(errors, field, value, label):
    if value is not None and value > today():
        errors[field] = f"{label} must be today or in the past"


def refresh_due(request):
    request.due_on = deadlines.stored_due_on(request)


def require_running(request):
    """The clock is running: identity is settled, nothing paused, no decision yet."""
    if request.status == RequestStatus.AWAITING_ID:
        raise ValidationError("Record the proof of identity or authority first")
    if request.status == RequestStatus.AWAITING_CLARIFICATION:
        raise ValidationError(messages.CLOCK_PAUSED)
    if request.status not in OPEN_STATUSES:
        raise ValidationError(messages.ALREADY_DECIDED)
