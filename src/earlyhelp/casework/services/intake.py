"""The front door: contacts as they arrive, and a team manager's decision on each."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit.models import Action
from earlyhelp.organisations.models import Organisation, Team, User
from earlyhelp.people.models import Household, Person

from .. import messages
from ..models import Contact, ContactStatus
from . import episodes
from ._common import _audit

# Contacts are recorded as they arrive; one back-dated by more than a year is almost certainly a typing error.
EARLIEST_CONTACT = datetime.timedelta(days=366)


@transaction.atomic
def record_contact(*, by: User, household: Household, subject: Person, team: Team, channel: str, source: str,
                   reason: str, consent_at_referral: str, received_at: datetime.datetime | None = None,
                   source_organisation: Organisation | None = None, referrer_name: str = "") -> Contact:
    if not policy.may_record_contact_about(by, household):
        raise PermissionDenied("You cannot record a contact about this family")
    ensure_not_restricted(person=subject, household=household)
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_CONTACT_REASON})
    if received_at is not None:
        if timezone.is_naive(received_at):
            raise ValidationError({"received_at": "The time received must include a time zone"})
        if received_at > timezone.now():
            raise ValidationError({"received_at": "The date received must be today or in the past"})
        if received_at < timezone.now() - EARLIEST_CONTACT:
            raise ValidationError({"received_at": "The date received must be within the last year"})
    if not household.memberships.filter(person=subject, end_date__isnull=True).exists():
        raise ValidationError({"subject": "The person the contact is about must be a current member of the family"})
    contact = Contact.objects.create(
        household=household, subject=subject, team=team, channel=channel, source=source,
        source_organisation=source_organisation, referrer_name=referrer_name.strip(), reason=reason.strip(),
        consent_at_referral=consent_at_referral, received_at=received_at or timezone.now(), recorded_by=by,
    )
    _audit(by, Action.CREATE, "contact.create", contact, household.pk, channel=channel, source=source)
    return contact


@transaction.atomic
def decide_contact(*, by: User, contact: Contact, decision: str, reason: str = "") -> Contact:
    """A team manager decides what happens next: open an episode, signpost, or no further action."""
    if not policy.may_decide_contact(by, contact):
        raise PermissionDenied("Only a manager of the team the contact was sent to can decide on it")
    ensure_not_restricted(household=contact.household_id)
    if contact.status != ContactStatus.AWAITING_DECISION:
        raise ValidationError("A decision has already been made on this contact")
    if decision not in {ContactStatus.EPISODE_OPENED, ContactStatus.SIGNPOSTED, ContactStatus.NO_FURTHER_ACTION}:
        raise ValidationError({"decision": messages.SELECT_WHAT_HAPPENS_NEXT})
    if decision != ContactStatus.EPISODE_OPENED and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the decision"})
    contact.status, contact.decision_reason = decision, reason.strip()
    contact.decided_by, contact.decided_at = by, timezone.now()
    contact.save()
    _audit(by, Action.CHANGE, "contact.decide", contact, contact.household_id, decision=decision)
    if decision == ContactStatus.EPISODE_OPENED:
        episodes.open_episode_from_contact(by=by, contact=contact, reason=reason)
    return contact
