"""The 30-day acknowledgement of a data protection complaint (P25).

The Data (Use and Access) Act 2025 inserts s164A into the Data Protection Act 2018: from 19 June 2026 a
controller must acknowledge a data protection complaint within 30 days of receiving it. The 30 days are calendar
days counted from the day after receipt, so a complaint received on 1 July 2026 must be acknowledged by 31 July
2026 (day 30); on 1 August (day 31) it is overdue. Unlike the one-month answer, the period does not move to the
next working day.

A complaint received before 19 June 2026 is not held to it: the duty applies to complaints received once it is in
force, so its page says no acknowledgement was required, and the dashboard leaves it out.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from . import messages
from .acknowledgement_models import ComplaintAcknowledgement
from .models import OPEN_STATUSES, RequestKind, RightsRequest

IN_FORCE_FROM = datetime.date(2026, 6, 19)
DAYS = 30

NOT_A_COMPLAINT = "Only a complaint is acknowledged this way"
ALREADY_ACKNOWLEDGED = "This complaint has already been acknowledged"
ENTER_DATE = "Enter the date the complaint was acknowledged"
BEFORE_RECEIPT = "The acknowledgement cannot be before the complaint was received"
IN_FUTURE = "The date the complaint was acknowledged must be today or in the past"
CHOOSE_METHOD = "Choose how the complaint was acknowledged"


def due_on(received_on: datetime.date) -> datetime.date | None:
    """The last day to acknowledge a complaint received on `received_on`; None if the duty did not apply."""
    if received_on < IN_FORCE_FROM:
        return None
    return received_on + datetime.timedelta(days=DAYS)


@dataclass(frozen=True)
class AcknowledgementClock:
    required: bool
    due_on: datetime.date | None
    acknowledged_on: datetime.date | None
    today: datetime.date

    @property
    def is_overdue(self) -> bool:
        return self.required and self.acknowledged_on is None and self.today > self.due_on

    @property
    def was_late(self) -> bool:
        return self.required and self.acknowledged_on is not None and self.acknowledged_on > self.due_on

    @property
    def days_left(self) -> int | None:
        return (self.due_on - self.today).days if self.required and self.acknowledged_on is None else None


def clock_for(request: RightsRequest, *, today: datetime.date) -> AcknowledgementClock | None:
    """The acknowledgement clock of a complaint; None for any other kind of request."""
    if request.kind != RequestKind.COMPLAINT:
        return None
    acknowledgement = getattr(request, "acknowledgement", None) if _has_acknowledgement(request) else None
    due = due_on(request.received_on)
    return AcknowledgementClock(required=due is not None, due_on=due,
                                acknowledged_on=acknowledgement.acknowledged_on if acknowledgement else None,
                                today=today)


def _has_acknowledgement(request) -> bool:
    try:
        request.acknowledgement  # noqa: B018
    except ComplaintAcknowledgement.DoesNotExist:
        return False
    return True


def awaiting(user, *, today: datetime.date) -> list[tuple[RightsRequest, AcknowledgementClock]]:
    """Open complaints held to the duty and not yet acknowledged, the soonest due first (the rights dashboard)."""
    if not policy.has_permission(user, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied(messages.ONLY_THE_DPO_HANDLES_REQUESTS)
    complaints = (RightsRequest.objects.filter(kind=RequestKind.COMPLAINT, status__in=OPEN_STATUSES,
                                               received_on__gte=IN_FORCE_FROM, acknowledgement__isnull=True)
                  .order_by("received_on", "pk"))
    rows = [(c, clock_for(c, today=today)) for c in complaints]
    audit.record(actor=user, action=Action.VIEW, event="complaint_acknowledgements.view",
                 purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[c for c, _ in rows], metadata={"overdue": sum(clock.is_overdue for _, clock in rows)})
    return rows
