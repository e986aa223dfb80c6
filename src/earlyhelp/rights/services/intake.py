"""A rights request arrives: logging it with its reference, checking the requester's identity and their authority
to act for the person, and starting work (P19). A request to withdraw consent is passed to the privacy core as it
is logged (P9)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max

from earlyhelp.audit.models import Action
from earlyhelp.people.models import MemberRole, Membership, Relationship
from earlyhelp.privacy.services import consent as consents

from .. import deadlines, messages
from ..models import (
    OPEN_STATUSES,
    Channel,
    IdentityCheck,
    RequesterRelationship,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from ._common import locked, not_future, raise_errors, record_event, refresh_due, require_handler, today

ADULT_AGE = 18
WITHDRAWAL_CHANNEL = "dpo"
# "Not checked yet" is only for a request from the online form (`services.online`).
STAFF_IDENTITY_CHECKS = (IdentityCheck.SEEN, IdentityCheck.REQUESTED, IdentityCheck.NOT_NEEDED)


# --- References ---------------------------------------------------------------------------------

def _next_reference(year: int) -> str:
    prefix = f"RR-{year}-"
    last = RightsRequest.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def save_with_reference(request: RightsRequest) -> RightsRequest:
    for _ in range(5):
        request.reference = _next_reference(today().year)
        try:
            with transaction.atomic():
                request.save()
            return request
        except IntegrityError:  # someone else took this reference a moment ago: take the next one
            continue
    raise RuntimeError("Could not allocate a rights request reference")


# --- Identity and authority ---------------------------------------------------------------------

def is_child(person, on: datetime.date) -> bool:
    """Under 18 on the day, unborn, or (with no date of birth) a child in a family they are now in."""
    if person.date_of_birth:
        return person.age_on(on) < ADULT_AGE
    if person.expected_date_of_birth:
        return True
    return Membership.objects.filter(person=person, end_date__isnull=True,
                                     role__in=[MemberRole.CHILD, MemberRole.UNBORN]).exists()


def has_parental_responsibility(requester_person, subject) -> bool:
    return bool(requester_person and subject) and Relationship.objects.filter(
        person=requester_person, related_person=subject, has_parental_responsibility=True).exists()


def _authority_errors(*, subject, relationship, requester_person, authority_evidence, child_authority, on):
    """Whether the requester may act for the person; returns (errors, parental responsibility found)."""
    errors, pr = {}, False
    if relationship == RequesterRelationship.SELF:
        return errors, pr
    if relationship == RequesterRelationship.PARENT_CARER and (subject is None or is_child(subject, on)):
        pr = has_parental_responsibility(requester_person, subject)
        if not pr and not child_authority.strip() and not (subject is None and authority_evidence.strip()):
            errors["child_authority"] = (
                "A parent or carer can act for a child only with parental responsibility or the child's "
                "authority: choose the requester from the family if their parental responsibility is recorded, "
                "or record how the child gave their authority")
        return errors, pr
    if not authority_evidence.strip():
        errors["authority_evidence"] = "Enter the written authority you have seen for acting for the person"
    return errors, pr


def _identity_errors(*, identity_check, id_seen_on, id_evidence, id_requested_on, received_on):
    errors = {}
    if identity_check not in STAFF_IDENTITY_CHECKS:
        errors["identity_check"] = messages.CHOOSE_IDENTITY_CHECK
    elif identity_check == IdentityCheck.SEEN:
        if not id_evidence.strip():
            errors["id_evidence"] = messages.ENTER_ID_EVIDENCE
        if id_seen_on is None:
            errors["id_seen_on"] = "Enter the date you saw proof of identity"
        not_future(errors, "id_seen_on", id_seen_on, "The date you saw proof of identity")
    elif identity_check == IdentityCheck.NOT_NEEDED:
        if not id_evidence.strip():
            errors["id_evidence"] = "Enter why proof of identity is not needed"
    else:
        if id_requested_on is None:
            errors["id_requested_on"] = "Enter the date you asked for proof of identity or authority"
        elif received_on and id_requested_on < received_on:
            errors["id_requested_on"] = "The date you asked for proof must be the same as or after the request arrived"
        not_future(errors, "id_requested_on", id_requested_on, "The date you asked for proof")
    return errors

# --- Logging a request --------------------------------------------------------------------------

def requester_errors(*, requester_name: str, requester_relationship: str, requester_relationship_detail: str,
                     requester_address: str, requester_email: str, requester_phone: str, requester_person=None,
                     subject=None, words=messages.STAFF_REQUESTER_WORDS) -> dict:
    """Who asked and how to reply to them: the rules for every request, however it arrived (`words` says them to
    the DPO or to an online requester)."""
    errors = {}
    if not requester_name.strip() and requester_person is None:
        errors["requester_name"] = words["requester_name"]
    if requester_relationship not in RequesterRelationship.values:
        errors["requester_relationship"] = words["requester_relationship"]
    elif requester_relationship == RequesterRelationship.OTHER and not requester_relationship_detail.strip():
        errors["requester_relationship_detail"] = words["requester_relationship_detail"]
    elif requester_relationship == RequesterRelationship.SELF and subject is not None \
            and requester_person is not None and requester_person.pk != subject.pk:
        errors["requester_person"] = "Someone asking for themselves is the person the request is about"
    if not (requester_address.strip() or requester_email.strip() or requester_phone.strip()):
        errors["requester_address"] = words["requester_address"]
    if requester_email.strip():
        try:
            validate_email(requester_email.strip())
        except ValidationError:
            errors["requester_email"] = words["requester_email"]
    return errors



@transaction.atomic
def log_request(*, by, kind: str, received_on: datetime.date, requester_relationship: str, subject=None,
                requester_person=None, requester_name: str = "", requester_relationship_detail: str = "",
                requester_address: str = "", requester_email: str = "", requester_phone: str = "",
                channel: str = Channel.WRITING, details: str = "", identity_check: str = IdentityCheck.SEEN,
                id_seen_on=None, id_evidence: str = "", id_requested_on=None, authority_evidence: str = "",
                child_authority: str = "", consent=None) -> RightsRequest:
    """Record a request as it arrived. The clock starts on receipt, or waits for proof of identity or authority
    we asked for. A request to withdraw consent is passed to the privacy core at once (P9)."""
    require_handler(by)
    requester_name, requester_email = requester_name.strip(), requester_email.strip()
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = messages.CHOOSE_REQUEST_KIND
    if channel not in Channel.values:
        errors["channel"] = messages.CHOOSE_CHANNEL
    if received_on is None:
        errors["received_on"] = messages.ENTER_RECEIVED_ON
    not_future(errors, "received_on", received_on, "The date the request was received")
    errors.update(requester_errors(
        requester_name=requester_name, requester_person=requester_person, subject=subject,
        requester_relationship=requester_relationship, requester_relationship_detail=requester_relationship_detail,
        requester_address=requester_address, requester_email=requester_email, requester_phone=requester_phone))
    if consent is not None:
        if kind != RequestKind.CONSENT_WITHDRAWAL:
            errors["consent"] = "Only a request to withdraw consent names a consent"
        elif subject is None or subject.pk not in (consent.subject_id, consent.given_by_id):
            errors["consent"] = "Choose a consent given by or about the person the request is about"
    errors.update(_identity_errors(identity_check=identity_check, id_seen_on=id_seen_on, id_evidence=id_evidence,
                                   id_requested_on=id_requested_on, received_on=received_on))
    pr = False
    if identity_check in (IdentityCheck.SEEN, IdentityCheck.NOT_NEEDED) and received_on:
        authority_errors, pr = _authority_errors(
            subject=subject, relationship=requester_relationship, requester_person=requester_person,
            authority_evidence=authority_evidence, child_authority=child_authority, on=received_on)
        errors.update(authority_errors)
    raise_errors(errors)

    if requester_relationship == RequesterRelationship.SELF and requester_person is None:
        requester_person = subject
    awaiting_id = identity_check == IdentityCheck.REQUESTED
    request = RightsRequest(
        kind=kind, subject=subject, received_on=received_on, recorded_by=by, channel=channel,
        details=details.strip(), status=RequestStatus.AWAITING_ID if awaiting_id else RequestStatus.RECEIVED,
        requester_person=requester_person, requester_name=requester_name,
        requester_relationship=requester_relationship,
        requester_relationship_detail=requester_relationship_detail.strip(),
        requester_address=requester_address.strip(), requester_email=requester_email,
        requester_phone=requester_phone.strip(), identity_check=identity_check,
        id_requested_on=id_requested_on if awaiting_id else None,
        id_seen_on=id_seen_on if identity_check == IdentityCheck.SEEN else None, id_evidence=id_evidence.strip(),
        authority_evidence=authority_evidence.strip(), child_authority=child_authority.strip(),
        parental_responsibility_checked=pr, identity_checked_by=None if awaiting_id else by,
        clock_started_on=None if awaiting_id else received_on, consent=consent,
    )
    request.due_on = None if awaiting_id else deadlines.due_date(received_on)
    save_with_reference(request)
    record_event(by, Action.CREATE, "rights_request.create", request, channel=channel,
           subject_known=subject is not None, requester_relationship=requester_relationship,
           identity_check=identity_check)
    if consent is not None:
        _withdraw_consent(by, request, consent)
    return request


def _withdraw_consent(by, request, consent):
    try:
        consents.request_withdrawal(by=by, consent_id=consent.pk, channel=WITHDRAWAL_CHANNEL,
                                    requested_on=request.received_on)
    except ValidationError as error:  # e.g. already withdrawn: the whole request is refused, nothing is kept
        raise ValidationError({"consent": error.messages}) from error


@transaction.atomic
def record_identity(*, by, request, id_seen_on: datetime.date, id_evidence: str, requester_person=None,
                    authority_evidence: str = "", child_authority: str = "") -> RightsRequest:
    """The proof of identity or authority we asked for has arrived: the clock starts on the day it arrived."""
    require_handler(by)
    request = locked(request)
    if request.status != RequestStatus.AWAITING_ID:
        raise ValidationError("This request is not waiting for proof of identity or authority")
    errors = _identity_errors(identity_check=IdentityCheck.SEEN, id_seen_on=id_seen_on, id_evidence=id_evidence,
                              id_requested_on=None, received_on=request.received_on)
    if id_seen_on is not None and id_seen_on < request.received_on:
        errors["id_seen_on"] = "The date proof arrived must be the same as or after the request arrived"
    requester_person = requester_person or request.requester_person
    authority_errors, pr = _authority_errors(
        subject=request.subject, relationship=request.requester_relationship, requester_person=requester_person,
        authority_evidence=authority_evidence or request.authority_evidence,
        child_authority=child_authority or request.child_authority, on=id_seen_on or request.received_on)
    errors.update(authority_errors)
    raise_errors(errors)
    request.identity_check, request.id_seen_on, request.id_evidence = IdentityCheck.SEEN, id_seen_on, id_evidence.strip()
    request.requester_person = requester_person
    request.authority_evidence = authority_evidence.strip() or request.authority_evidence
    request.child_authority = child_authority.strip() or request.child_authority
    request.parental_responsibility_checked, request.identity_checked_by = pr, by
    # A clock already running (a request from the online form) keeps the day it started: the requester is never
    # answered later because we checked who they were.
    request.clock_started_on, request.status = request.clock_started_on or id_seen_on, RequestStatus.RECEIVED
    refresh_due(request)
    request.save()
    record_event(by, Action.CHANGE, "rights_request.identity", request)
    return request


@transaction.atomic
def start_work(*, by, request) -> RightsRequest:
    require_handler(by)
    request = locked(request)
    if request.status != RequestStatus.RECEIVED:
        raise ValidationError("Work can start only on a request that has been received and is not waiting for "
                              "anything")
    request.status, request.handled_by = RequestStatus.IN_PROGRESS, by
    request.save()
    record_event(by, Action.CHANGE, "rights_request.start", request)
    return request


@transaction.atomic
def match_subject(*, by, request, subject) -> RightsRequest:
    """The DPO says which person on our records a request is about: a request from the online form arrives naming
    nobody, and nothing matches it automatically (P13). Once named, the person stays named."""
    require_handler(by)
    request = locked(request)
    if request.status not in OPEN_STATUSES:
        raise ValidationError(messages.ALREADY_DECIDED)
    if request.subject_id is not None:
        raise ValidationError(messages.SUBJECT_ALREADY_MATCHED)
    request.subject = subject
    if request.requester_relationship == RequesterRelationship.SELF and request.requester_person_id is None:
        request.requester_person = subject
    request.save(update_fields=["subject", "requester_person"])
    record_event(by, Action.CHANGE, "rights_request.match", request, person=subject.pk)
    return request
