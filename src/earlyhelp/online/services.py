"""Every change to an online request: starting it, saving an answer, sending it (issue 15, items 1, 2 and 5).

Each owns its transaction and records its audit event (`audit.record_public`: what and which
record, never an answer). Nothing here touches a person or a family: the front door decides who a request is about
(`intake.record_as_contact`, P13).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Purpose
from earlyhelp.messaging import services as messaging

from . import messages
from .models import HelpRequest, RequestStatus, Route

PURPOSE = Purpose.EARLY_HELP_CASEWORK
ACKNOWLEDGEMENT = "help_request"  # the e-mail with the request's reference (`messaging`)


@transaction.atomic
def start_request(*, route: str) -> HelpRequest:
    if route not in Route.values:
        raise ValidationError({"route": messages.CHOOSE_ROUTE})
    request = HelpRequest.objects.create(route=route)
    audit.record_public(event="online.help_request.start", purpose=PURPOSE, objects=[request],
                        metadata={"route": route})
    return request


def _draft(request_id: int) -> HelpRequest:
    found = HelpRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is None or found.status != RequestStatus.DRAFT:
        raise ValidationError(messages.REQUEST_ALREADY_SENT)
    return found


@transaction.atomic
def save_answers(*, request_id: int, step: str, answers: dict, clear: tuple[str, ...] = ()) -> HelpRequest:
    """Keep one page's answers (already cleaned by its form: JSON-safe values) and forget answers that no longer
    apply (`clear`, e.g. a parent's details once the date of birth says 13 or over: P1)."""
    draft = _draft(request_id)
    for key in clear:
        draft.answers.pop(key, None)
    draft.answers.update(answers)
    draft.save(update_fields=["answers", "updated_at"])
    audit.record_public(event="online.help_request.answer", purpose=PURPOSE, objects=[draft],
                        action="change", metadata={"step": step})
    return draft


@transaction.atomic
def submit_request(*, request_id: int, complete: bool) -> HelpRequest:
    """Send the request to the front door. `complete` is the question flow's verdict (every question it asks is
    answered, and a young person under the permission age has a parent's permission)."""
    draft = _draft(request_id)
    if not complete:
        raise ValidationError(messages.ANSWER_THE_QUESTIONS_FIRST)
    draft.status, draft.submitted_at = RequestStatus.SUBMITTED, timezone.now()
    draft.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record_public(event="online.help_request.submit", purpose=PURPOSE, objects=[draft],
                        metadata={"route": draft.route})
    # The address they gave, for themselves or at work: the reference and what happens next, nothing else.
    address = draft.answers.get("email") or draft.answers.get("referrer_email") or ""
    messaging.send_acknowledgement(to=address, kind=ACKNOWLEDGEMENT, reference=draft.reference)
    return draft


def draft_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.EARLYHELP_PUBLIC_DRAFT_DAYS)


@transaction.atomic
def delete_stale_drafts(*, now: datetime.datetime | None = None) -> int:
    """Requests never sent are deleted `EARLYHELP_PUBLIC_DRAFT_DAYS` after their last answer, and requests the front
    door closed without a contact `EARLYHELP_PUBLIC_CLOSED_DAYS` after it closed them (P4). A recorded request goes
    with its contact."""
    now = now or timezone.now()
    closed_cutoff = now - datetime.timedelta(days=settings.EARLYHELP_PUBLIC_CLOSED_DAYS)
    stale = list(HelpRequest.objects.filter(
        Q(status=RequestStatus.DRAFT, updated_at__lt=draft_cutoff(now))
        | Q(status=RequestStatus.CLOSED, closed_at__lt=closed_cutoff)).values_list("pk", flat=True))
    if stale:
        HelpRequest.objects.filter(pk__in=stale).delete()
        audit.record_public(event="online.help_request.delete_stale", purpose=PURPOSE, action="change",
                            objects=[("online.helprequest", pk) for pk in stale])
    return len(stale)
