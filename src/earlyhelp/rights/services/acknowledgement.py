"""Acknowledging a data protection complaint within 30 days (P25); the rule and its clock are
`rights.acknowledgement`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit.models import Action

from ..acknowledgement import (
    ALREADY_ACKNOWLEDGED,
    BEFORE_RECEIPT,
    CHOOSE_METHOD,
    ENTER_DATE,
    IN_FUTURE,
    NOT_A_COMPLAINT,
    due_on,
)
from ..acknowledgement_models import AcknowledgementMethod, ComplaintAcknowledgement
from ..models import RequestKind, RightsRequest
from ._common import record_event, require_handler, today


@transaction.atomic
def acknowledge_complaint(*, by, request: RightsRequest, acknowledged_on: datetime.date | None,
                          method: str) -> ComplaintAcknowledgement:
    """Record that a complaint was acknowledged, when and how. Late acknowledgements are recorded (and shown as
    late): the record must be true."""
    require_handler(by)
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    if request.kind != RequestKind.COMPLAINT:
        raise ValidationError(NOT_A_COMPLAINT)
    if ComplaintAcknowledgement.objects.filter(request=request).exists():
        raise ValidationError(ALREADY_ACKNOWLEDGED)
    errors = {}
    if acknowledged_on is None:
        errors["acknowledged_on"] = ENTER_DATE
    elif acknowledged_on < request.received_on:
        errors["acknowledged_on"] = BEFORE_RECEIPT
    elif acknowledged_on > today():
        errors["acknowledged_on"] = IN_FUTURE
    if method not in AcknowledgementMethod.values:
        errors["method"] = CHOOSE_METHOD
    if errors:
        raise ValidationError(errors)
    acknowledgement = ComplaintAcknowledgement.objects.create(request=request, acknowledged_on=acknowledged_on,
                                                              method=method, recorded_by=by)
    due = due_on(request.received_on)
    record_event(by, Action.CHANGE, "complaint.acknowledge", request, method=method,
                 late=bool(due and acknowledged_on > due), required=due is not None)
    return acknowledgement
