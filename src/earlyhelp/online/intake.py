"""The front door's side of a request made online: reading it, and recording it as a contact once a person has
decided who it is about (P13: nothing is linked or created by the request itself; P22: it becomes a contact like any
other, with channel "web", through the one intake rule `casework.services.intake.record_contact`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import Channel, ConsentAtReferral, ContactSource
from earlyhelp.casework.services import intake
from earlyhelp.organisations.models import Team, User
from earlyhelp.people.models import Person

from . import messages
from .models import HelpRequest, RequestStatus, Route

# A person asking for themselves asked for the help: their own agreement. A professional says what the family knows.
SOURCE_BY_ROUTE = {Route.SELF: ContactSource.SELF}


def referrer_name(help_request: HelpRequest) -> str:
    answers = help_request.answers
    if help_request.route != Route.PROFESSIONAL:
        return ""
    parts = [answers.get("referrer_name", ""), answers.get("role", ""), answers.get("organisation", "")]
    return ", ".join(part for part in parts if part)[:120]


def contact_reason(help_request: HelpRequest) -> str:
    """The contact's reason: what was asked for, and for a professional what the family has been told."""
    answers = help_request.answers
    text = answers.get("reason", "")
    if answers.get("family_knows"):
        text += f"\n\nWhat the family has been told: {answers['family_knows']}"
    return text


def consent_at_referral(help_request: HelpRequest) -> str:
    if help_request.route == Route.PROFESSIONAL:
        return help_request.answers.get("consent_at_referral", ConsentAtReferral.NOT_ASKED)
    return ConsentAtReferral.GIVEN  # they asked for help themselves (a young person under the age, with permission)


@transaction.atomic
def record_as_contact(*, by: User, help_request: HelpRequest, subject: Person, team: Team, source: str):
    """A person at the front door has decided whom the request is about: it becomes a contact about them, channel
    "web", received when it was sent, routed to `team`; the request is marked recorded. `subject` must be a person
    the officer found by searching (the view checks it with search first)."""
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if locked.status != RequestStatus.SUBMITTED:
        raise ValidationError(messages.REQUEST_ALREADY_RECORDED)
    if not policy.has_permission(by, policy.Permission.SEE_ONLINE_REQUESTS):
        raise PermissionDenied("Your role does not include requests made online")
    membership = subject.memberships.filter(end_date__isnull=True).select_related("household").first()
    if membership is None:
        raise ValidationError(messages.PERSON_IN_NO_FAMILY)
    if source not in ContactSource.values:
        raise ValidationError({"source": messages.CHOOSE_SOURCE})
    contact = intake.record_contact(
        by=by, household=membership.household, subject=subject, team=team, channel=Channel.WEB, source=source,
        reason=contact_reason(locked), consent_at_referral=consent_at_referral(locked),
        received_at=locked.submitted_at, referrer_name=referrer_name(locked))
    locked.status, locked.contact = RequestStatus.RECORDED, contact
    locked.recorded_by, locked.recorded_at = by, timezone.now()
    locked.save(update_fields=["status", "contact", "recorded_by", "recorded_at", "updated_at"])
    audit.record(actor=by, action=Action.CHANGE, event="online.help_request.record",
                 purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[locked, contact], household_id=membership.household_id)
    return contact


@transaction.atomic
def close_request(*, by: User, help_request: HelpRequest, reason: str) -> HelpRequest:
    """The front door decides a request needs no contact (a duplicate of one already recorded, a test, nothing to go
    on), with its reason: it leaves the queue, and is deleted `EARLYHELP_PUBLIC_CLOSED_DAYS` later."""
    if not policy.has_permission(by, policy.Permission.SEE_ONLINE_REQUESTS):
        raise PermissionDenied("Your role does not include requests made online")
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if locked.status != RequestStatus.SUBMITTED:
        raise ValidationError(messages.REQUEST_ALREADY_RECORDED)
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_CLOSE_REASON})
    locked.status, locked.closed_reason = RequestStatus.CLOSED, reason.strip()
    locked.closed_by, locked.closed_at = by, timezone.now()
    locked.save(update_fields=["status", "closed_reason", "closed_by", "closed_at", "updated_at"])
    audit.record(actor=by, action=Action.CHANGE, event="online.help_request.close",
                 purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[locked])
    return locked
