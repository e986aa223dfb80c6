"""The statutory clock on a rights request: paused while we wait for clarification, resumed when it arrives,
and extended to three months for a complex or multiple request (UK GDPR Article 12; the dates are
`rights.deadlines`)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit.models import Action
from earlyhelp.ui.forms import format_date

from .. import deadlines, messages
from ..models import OPEN_STATUSES, ClockPause, RequestStatus, RightsRequest
from ._common import (
    locked,
    not_future,
    raise_errors,
    record_event,
    refresh_due,
    require_handler,
    require_running,
    today,
)


@transaction.atomic
def pause_clock(*, by, request, started_on: datetime.date, reason: str) -> ClockPause:
    """We need clarification to answer: the clock stops until it arrives (Article 12A)."""
    require_handler(by)
    request = locked(request)
    require_running(request)
    errors = {}
    if not reason.strip():
        errors["reason"] = messages.ENTER_CLARIFICATION_ASKED
    if started_on is None:
        errors["started_on"] = messages.ENTER_CLARIFICATION_ASKED_ON
    else:
        not_future(errors, "started_on", started_on, "The date you asked for clarification")
        last_end = request.pauses.filter(ended_on__isnull=False).order_by("-ended_on") \
            .values_list("ended_on", flat=True).first()
        if started_on < request.clock_started_on:
            errors["started_on"] = (f"The date you asked for clarification must be the same as or after "
                                    f"{format_date(request.clock_started_on)}, when the clock started")
        elif last_end and started_on < last_end:
            errors["started_on"] = (f"The date you asked for clarification must be the same as or after "
                                    f"{format_date(last_end)}, when the last clarification arrived")
    raise_errors(errors)
    pause = ClockPause.objects.create(request=request, started_on=started_on, reason=reason.strip(), started_by=by)
    request.status = RequestStatus.AWAITING_CLARIFICATION
    refresh_due(request)
    request.save()
    record_event(by, Action.CHANGE, "rights_request.pause", request, pause_id=pause.pk)
    return pause


@transaction.atomic
def resume_clock(*, by, request, ended_on: datetime.date) -> ClockPause:
    """The clarification arrived: the clock runs again and the due date moves by the days paused."""
    require_handler(by)
    request = locked(request)
    pause = request.pauses.filter(ended_on__isnull=True).first()
    if request.status != RequestStatus.AWAITING_CLARIFICATION or pause is None:
        raise ValidationError("This request is not waiting for clarification")
    errors = {}
    if ended_on is None:
        errors["ended_on"] = messages.ENTER_CLARIFICATION_ARRIVED_ON
    else:
        not_future(errors, "ended_on", ended_on, "The date the clarification arrived")
        if ended_on < pause.started_on:
            errors["ended_on"] = (f"The date the clarification arrived must be the same as or after "
                                  f"{format_date(pause.started_on)}, when you asked for it")
    raise_errors(errors)
    pause.ended_on, pause.ended_by = ended_on, by
    pause.save()
    request.status = RequestStatus.IN_PROGRESS if request.handled_by_id else RequestStatus.RECEIVED
    refresh_due(request)
    request.save()
    record_event(by, Action.CHANGE, "rights_request.resume", request, pause_id=pause.pk, days_paused=pause.days)
    return pause


@transaction.atomic
def extend_deadline(*, by, request, reason: str, notified_on: datetime.date) -> RightsRequest:
    """Extend to three months from the start, for a complex or multiple request: only within the first month,
    with reasons, and with the requester told within the first month."""
    require_handler(by)
    request = locked(request)
    if request.status == RequestStatus.AWAITING_ID:
        raise ValidationError("The clock has not started: record the proof of identity or authority first")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(messages.ALREADY_DECIDED)
    if request.extended_at is not None:
        raise ValidationError("This request has already been extended: three months is the limit")
    as_of = today()
    pauses = [(p.started_on, p.ended_on) for p in request.pauses.all()]
    first_month_ends = deadlines.extension_deadline(request.clock_started_on, pauses=pauses, today=as_of)
    if as_of > first_month_ends:
        raise ValidationError(
            f"The first month ended on {format_date(first_month_ends)}: an extension can only be made, and the "
            "requester told, within the first month", code="too_late")
    errors = {}
    if not reason.strip():
        errors["reason"] = messages.ENTER_EXTENSION_REASON
    if notified_on is None:
        errors["notified_on"] = messages.ENTER_EXTENSION_NOTIFIED_ON
    else:
        not_future(errors, "notified_on", notified_on, "The date you told the requester")
        if notified_on < request.clock_started_on:
            errors["notified_on"] = (f"The date you told the requester must be the same as or after "
                                     f"{format_date(request.clock_started_on)}, when the clock started")
    raise_errors(errors)
    request.extension_reason, request.extension_notified_on = reason.strip(), notified_on
    request.extended_by, request.extended_at = by, timezone.now()
    refresh_due(request)
    request.save()
    record_event(by, Action.CHANGE, "rights_request.extend", request)
    return request
