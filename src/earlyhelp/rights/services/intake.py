"""Every change to rights requests (P5, P19, P25).

Only the data protection officer handles rights requests (`policy.Permission.HANDLE_RIGHTS_REQUESTS`).
Each function takes keyword-only arguments, owns its transaction and writes its audit event inside it,
under the purpose "rights_requests". Audit metadata holds ids and codes only. Bad input raises a
ValidationError naming the field; nothing is written.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access import restrictions
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import (
    Ethnicity,
    Gender,
    MemberRole,
    Membership,
    Person,
    Relationship,
    SpecialEducationalNeeds,
    YesNoUnknown,
)
from earlyhelp.people import services as people
from earlyhelp.privacy import consent as consents
from earlyhelp.privacy.models import ConsentStatus, Disclosure
from earlyhelp.retention import erasure
from earlyhelp.ui.forms import format_date

from .. import deadlines
from ..models import (
    OPEN_STATUSES,
    Channel,
    ClockPause,
    IdentityCheck,
    NotificationMethod,
    Outcome,
    ProcessingRestriction,
    RecipientNotification,
    RecordDispute,
    RequesterRelationship,
    RequestKind,
    RequestStatus,
    RightsRequest,
)

PURPOSE = Purpose.RIGHTS_REQUESTS
ADULT_AGE = 18

# What each kind of request can be answered with.
OUTCOMES = {
    RequestKind.ACCESS: [Outcome.COMPLIED, Outcome.PARTLY, Outcome.REFUSED],
    RequestKind.RECTIFICATION: [Outcome.COMPLIED, Outcome.PARTLY, Outcome.DISPUTED, Outcome.REFUSED],
    RequestKind.ERASURE: [Outcome.COMPLIED, Outcome.REFUSED_PUBLIC_TASK, Outcome.REFUSED],
    RequestKind.RESTRICTION: [Outcome.COMPLIED, Outcome.REFUSED],
    RequestKind.OBJECTION: [Outcome.OBJECTION_UPHELD, Outcome.COMPELLING_GROUNDS, Outcome.REFUSED_PUBLIC_TASK,
                            Outcome.REFUSED],
    RequestKind.PORTABILITY: [Outcome.NOT_APPLICABLE],
    RequestKind.CONSENT_WITHDRAWAL: [Outcome.COMPLIED],
    RequestKind.COMPLAINT: [Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD],
    RequestKind.AUTOMATED_DECISION: [Outcome.NOT_APPLICABLE],
}
# Outcomes that close the request as refused. Every one needs a recorded reason.
REFUSALS = {Outcome.REFUSED, Outcome.REFUSED_PUBLIC_TASK, Outcome.COMPELLING_GROUNDS, Outcome.DISPUTED}
# Outcomes whose reasons may be left out: the request was done as asked.
REASON_OPTIONAL = {Outcome.COMPLIED, Outcome.OBJECTION_UPHELD, Outcome.NOT_APPLICABLE}
# Outcomes that are answered by a stated text the requester is given.
ANSWERED = {Outcome.NOT_APPLICABLE, Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD}
# After these, everyone the family's information was disclosed to is told (UK GDPR Article 19).
ARTICLE_19 = {(RequestKind.RECTIFICATION, Outcome.COMPLIED), (RequestKind.RECTIFICATION, Outcome.PARTLY),
              (RequestKind.ERASURE, Outcome.COMPLIED), (RequestKind.RESTRICTION, Outcome.COMPLIED)}

PORTABILITY_ANSWER = (
    "You asked us to move your information to another organisation. The right to data portability (UK GDPR "
    "Article 20) applies only to information processed with your consent or under a contract, by automated "
    "means. We hold your family's early help information to carry out our public tasks (UK GDPR Article "
    "6(1)(e)), so the right does not apply to it. You can still ask for a copy of the information we hold "
    "about you (a subject access request), free of charge, and we will send it to you."
)
AUTOMATED_DECISION_ANSWER = (
    "You asked us to review a decision made without a person. We do not make decisions about you or your "
    "family by automated means: the system may suggest something, but a member of staff always decides, and "
    "the decision is recorded with their name and reasons. If you disagree with a decision a person made, "
    "tell us and we will look at it again."
)
ICO_TEXT = (
    "If you are still unhappy, you can complain to the Information Commissioner's Office (ICO), Wycliffe House, "
    "Water Lane, Wilmslow, Cheshire SK9 5AF, telephone 0303 123 1113, ico.org.uk/make-a-complaint."
)
STANDARD_ANSWERS = {RequestKind.PORTABILITY: PORTABILITY_ANSWER,
                    RequestKind.AUTOMATED_DECISION: AUTOMATED_DECISION_ANSWER,
                    RequestKind.COMPLAINT: ICO_TEXT}

# What a correction can change, through the people services that keep the record's history.
PERSON_FIELDS = ("given_name", "family_name", "preferred_name", "date_of_birth", "gender", "ethnicity",
                 "first_language", "disability", "special_educational_needs")
CHOICE_FIELDS = {"gender": Gender, "ethnicity": Ethnicity, "disability": YesNoUnknown,
                 "special_educational_needs": SpecialEducationalNeeds}
IDENTIFIER_FIELDS = tuple(f"identifier_{scheme}" for scheme in IdentifierScheme.values)
ADDRESS_FIELDS = ("line_1", "line_2", "town", "postcode", "valid_from")
WITHDRAWAL_CHANNEL = "dpo"


def _today() -> datetime.date:
    return timezone.localdate()


def _require_handler(by):
    if not policy.has_permission(by, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied("Only the data protection officer handles rights requests")


def _audit(by, action, event, request, **metadata):
    """One event per change, about the request; other records it touched are named by id in the metadata."""
    audit.record(actor=by, action=action, event=event, purpose=PURPOSE, objects=[request],
                 metadata={"kind": request.kind, "status": request.status, **metadata})


def _locked(request) -> RightsRequest:
    """The request as it is now, locked for this transaction: two people acting at once cannot both win."""
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _not_future(errors, field, value, label):
    if value is not None and value > _today():
        errors[field] = f"{label} must be today or in the past"


def _refresh_due(request):
    request.due_on = deadlines.stored_due_on(request)


# --- References ---------------------------------------------------------------------------------

def _next_reference(year: int) -> str:
    prefix = f"RR-{year}-"
    last = RightsRequest.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _save_with_reference(request: RightsRequest) -> RightsRequest:
    for _ in range(5):
        request.reference = _next_reference(_today().year)
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
    if identity_check not in IdentityCheck.values:
        errors["identity_check"] = "Choose whether you have checked the requester's identity"
    elif identity_check == IdentityCheck.SEEN:
        if not id_evidence.strip():
            errors["id_evidence"] = "Enter the proof of identity you saw"
        if id_seen_on is None:
            errors["id_seen_on"] = "Enter the date you saw proof of identity"
        _not_future(errors, "id_seen_on", id_seen_on, "The date you saw proof of identity")
    elif identity_check == IdentityCheck.NOT_NEEDED:
        if not id_evidence.strip():
            errors["id_evidence"] = "Enter why proof of identity is not needed"
    else:
        if id_requested_on is None:
            errors["id_requested_on"] = "Enter the date you asked for proof of identity or authority"
        elif received_on and id_requested_on < received_on:
            errors["id_requested_on"] = "The date you asked for proof must be the same as or after the request arrived"
        _not_future(errors, "id_requested_on", id_requested_on, "The date you asked for proof")
    return errors


# --- Logging a request --------------------------------------------------------------------------

@transaction.atomic
def log_request(*, by, kind: str, received_on: datetime.date, requester_relationship: str, subject=None,
                requester_person=None, requester_name: str = "", requester_relationship_detail: str = "",
                requester_address: str = "", requester_email: str = "", requester_phone: str = "",
                channel: str = Channel.WRITING, details: str = "", identity_check: str = IdentityCheck.SEEN,
                id_seen_on=None, id_evidence: str = "", id_requested_on=None, authority_evidence: str = "",
                child_authority: str = "", consent=None) -> RightsRequest:
    """Record a request as it arrived. The clock starts on receipt, or waits for proof of identity or authority
    we asked for. A request to withdraw consent is passed to the privacy core at once (P9)."""
    _require_handler(by)
    requester_name, requester_email = requester_name.strip(), requester_email.strip()
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = "Choose what the person is asking for"
    if channel not in Channel.values:
        errors["channel"] = "Choose how the request was made"
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    _not_future(errors, "received_on", received_on, "The date the request was received")
    if not requester_name and requester_person is None:
        errors["requester_name"] = "Enter who made the request"
    if requester_relationship not in RequesterRelationship.values:
        errors["requester_relationship"] = "Choose how the requester is connected to the person"
    elif requester_relationship == RequesterRelationship.OTHER and not requester_relationship_detail.strip():
        errors["requester_relationship_detail"] = "Enter how the requester is connected to the person"
    elif requester_relationship == RequesterRelationship.SELF and subject is not None \
            and requester_person is not None and requester_person.pk != subject.pk:
        errors["requester_person"] = "Someone asking for themselves is the person the request is about"
    if not (requester_address.strip() or requester_email or requester_phone.strip()):
        errors["requester_address"] = ("Enter at least one way to reply to the requester: a postal address, an email "
                                       "address or a telephone number")
    if requester_email:
        try:
            validate_email(requester_email)
        except ValidationError:
            errors["requester_email"] = "Enter an email address in the correct format, like name@example.com"
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
    _raise(errors)

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
    _save_with_reference(request)
    _audit(by, Action.CREATE, "rights_request.create", request, channel=channel,
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
    _require_handler(by)
    request = _locked(request)
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
    _raise(errors)
    request.identity_check, request.id_seen_on, request.id_evidence = IdentityCheck.SEEN, id_seen_on, id_evidence.strip()
    request.requester_person = requester_person
    request.authority_evidence = authority_evidence.strip() or request.authority_evidence
    request.child_authority = child_authority.strip() or request.child_authority
    request.parental_responsibility_checked, request.identity_checked_by = pr, by
    request.clock_started_on, request.status = id_seen_on, RequestStatus.RECEIVED
    _refresh_due(request)
    request.save()
    _audit(by, Action.CHANGE, "rights_request.identity", request)
    return request


@transaction.atomic
def start_work(*, by, request) -> RightsRequest:
    _require_handler(by)
    request = _locked(request)
    if request.status != RequestStatus.RECEIVED:
        raise ValidationError("Work can start only on a request that has been received and is not waiting for "
                              "anything")
    request.status, request.handled_by = RequestStatus.IN_PROGRESS, by
    request.save()
    _audit(by, Action.CHANGE, "rights_request.start", request)
    return request


def _require_running(request):
    """The clock is running: identity is settled, nothing paused, no decision yet."""
    if request.status == RequestStatus.AWAITING_ID:
        raise ValidationError("Record the proof of identity or authority first")
    if request.status == RequestStatus.AWAITING_CLARIFICATION:
        raise ValidationError("Record the clarification first: the clock is paused")
    if request.status not in OPEN_STATUSES:
        raise ValidationError("A decision has already been made on this request")


# --- The clock ----------------------------------------------------------------------------------

@transaction.atomic
def pause_clock(*, by, request, started_on: datetime.date, reason: str) -> ClockPause:
    """We need clarification to answer: the clock stops until it arrives (Article 12A)."""
    _require_handler(by)
    request = _locked(request)
    _require_running(request)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter what you asked the requester to clarify"
    if started_on is None:
        errors["started_on"] = "Enter the date you asked for clarification"
    else:
        _not_future(errors, "started_on", started_on, "The date you asked for clarification")
        last_end = request.pauses.filter(ended_on__isnull=False).order_by("-ended_on") \
            .values_list("ended_on", flat=True).first()
        if started_on < request.clock_started_on:
            errors["started_on"] = (f"The date you asked for clarification must be the same as or after "
                                    f"{format_date(request.clock_started_on)}, when the clock started")
        elif last_end and started_on < last_end:
            errors["started_on"] = (f"The date you asked for clarification must be the same as or after "
                                    f"{format_date(last_end)}, when the last clarification arrived")
    _raise(errors)
    pause = ClockPause.objects.create(request=request, started_on=started_on, reason=reason.strip(), started_by=by)
    request.status = RequestStatus.AWAITING_CLARIFICATION
    _refresh_due(request)
    request.save()
    _audit(by, Action.CHANGE, "rights_request.pause", request, pause_id=pause.pk)
    return pause


@transaction.atomic
def resume_clock(*, by, request, ended_on: datetime.date) -> ClockPause:
    """The clarification arrived: the clock runs again and the due date moves by the days paused."""
    _require_handler(by)
    request = _locked(request)
    pause = request.pauses.filter(ended_on__isnull=True).first()
    if request.status != RequestStatus.AWAITING_CLARIFICATION or pause is None:
        raise ValidationError("This request is not waiting for clarification")
    errors = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date the clarification arrived"
    else:
        _not_future(errors, "ended_on", ended_on, "The date the clarification arrived")
        if ended_on < pause.started_on:
            errors["ended_on"] = (f"The date the clarification arrived must be the same as or after "
                                  f"{format_date(pause.started_on)}, when you asked for it")
    _raise(errors)
    pause.ended_on, pause.ended_by = ended_on, by
    pause.save()
    request.status = RequestStatus.IN_PROGRESS if request.handled_by_id else RequestStatus.RECEIVED
    _refresh_due(request)
    request.save()
    _audit(by, Action.CHANGE, "rights_request.resume", request, pause_id=pause.pk, days_paused=pause.days)
    return pause


@transaction.atomic
def extend_deadline(*, by, request, reason: str, notified_on: datetime.date) -> RightsRequest:
    """Extend to three months from the start, for a complex or multiple request: only within the first month,
    with reasons, and with the requester told within the first month."""
    _require_handler(by)
    request = _locked(request)
    if request.status == RequestStatus.AWAITING_ID:
        raise ValidationError("The clock has not started: record the proof of identity or authority first")
    if request.status not in OPEN_STATUSES:
        raise ValidationError("A decision has already been made on this request")
    if request.extended_at is not None:
        raise ValidationError("This request has already been extended: three months is the limit")
    today = _today()
    pauses = [(p.started_on, p.ended_on) for p in request.pauses.all()]
    first_month_ends = deadlines.extension_deadline(request.clock_started_on, pauses=pauses, today=today)
    if today > first_month_ends:
        raise ValidationError(
            f"The first month ended on {format_date(first_month_ends)}: an extension can only be made, and the "
            "requester told, within the first month", code="too_late")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why the request needs more time"
    if notified_on is None:
        errors["notified_on"] = "Enter the date you told the requester about the extension"
    else:
        _not_future(errors, "notified_on", notified_on, "The date you told the requester")
        if notified_on < request.clock_started_on:
            errors["notified_on"] = (f"The date you told the requester must be the same as or after "
                                     f"{format_date(request.clock_started_on)}, when the clock started")
    _raise(errors)
    request.extension_reason, request.extension_notified_on = reason.strip(), notified_on
    request.extended_by, request.extended_at = by, timezone.now()
    _refresh_due(request)
    request.save()
    _audit(by, Action.CHANGE, "rights_request.extend", request)
    return request


# --- Rectification (P5) ---------------------------------------------------------------------------

def _require_subject(request, errors, field="__all__"):
    if request.subject_id is None:
        errors[field] = "There is no record of this person on the system"


@transaction.atomic
def apply_corrections(*, by, request, changes: dict) -> RightsRequest:
    """Correct the person's record through the people services, which keep what was there before (history).

    `changes` maps field names (PERSON_FIELDS, IDENTIFIER_FIELDS, or the new current address as
    ADDRESS_FIELDS) to corrected values. Only fields whose value differs are changed.
    """
    _require_handler(by)
    request = _locked(request)
    if request.kind != RequestKind.RECTIFICATION:
        raise ValidationError("Corrections are made only under a request to correct information")
    _require_running(request)
    errors = {}
    _require_subject(request, errors)
    _raise(errors)
    person = Person.objects.select_for_update().get(pk=request.subject_id)
    unknown = set(changes) - set(PERSON_FIELDS) - set(IDENTIFIER_FIELDS) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationError("Only a person's details, identifiers and address can be corrected here")
    person_changes = {f: v for f, v in changes.items() if f in PERSON_FIELDS and getattr(person, f) != v}
    for name in ("given_name", "family_name"):
        if name in person_changes:
            person_changes[name] = (person_changes[name] or "").strip()
            if not person_changes[name]:
                errors[name] = "Enter a given name" if name == "given_name" else "Enter a family name"
    for name, choices in CHOICE_FIELDS.items():
        if name in person_changes and person_changes[name] not in choices.values:
            errors[name] = "Choose an answer from the list"
    current = {i.scheme: i.value for i in person.identifiers.all()}
    identifier_changes = {f.removeprefix("identifier_"): (v or "").strip() for f, v in changes.items()
                          if f in IDENTIFIER_FIELDS and (v or "").strip()}
    address = {f: changes.get(f) for f in ADDRESS_FIELDS}
    moving = any(address[f] for f in ("line_1", "town", "postcode"))
    if moving and address["valid_from"] is None:
        errors["valid_from"] = "Enter the date the person started living at the new address"
    _raise(errors)

    corrected = []
    with restrictions.permitting_changes_to(person.pk):
        if person_changes:
            person._change_reason = f"Corrected under rights request {request.reference}"
            people.update_person(by=by, person=person, **person_changes)
            corrected += sorted(person_changes)
        for scheme, raw in identifier_changes.items():
            identifier = people.record_identifier(by=by, person=person, scheme=scheme, raw_value=raw)
            if current.get(scheme) != identifier.value:
                corrected.append(f"identifier_{scheme}")
        if moving:
            people.move_address(by=by, person=person, line_1=address["line_1"] or "", line_2=address["line_2"] or "",
                                town=address["town"] or "", postcode=address["postcode"] or "",
                                valid_from=address["valid_from"])
            corrected.append("address")
    if not corrected:
        raise ValidationError("Nothing has changed: enter the corrected information")
    request.corrected_fields = sorted(set(request.corrected_fields) | set(corrected))
    request.status, request.handled_by = RequestStatus.IN_PROGRESS, request.handled_by or by
    request.save()
    _audit(by, Action.CHANGE, "rights_request.correct", request, person_id=person.pk, fields=sorted(corrected))
    return request


@transaction.atomic
def record_dispute(*, by, request, disputed: str, statement: str, council_reason: str) -> RecordDispute:
    """The council does not agree the record is wrong: it stays, marked as disputed with the person's statement."""
    _require_handler(by)
    request = _locked(request)
    if request.kind != RequestKind.RECTIFICATION:
        raise ValidationError("A record is marked as disputed only under a request to correct information")
    _require_running(request)
    errors = {}
    _require_subject(request, errors)
    for field, value, message in [
        ("disputed", disputed, "Enter what the person says is wrong"),
        ("statement", statement, "Enter the person's statement, in their words"),
        ("council_reason", council_reason, "Enter why the council is not changing the record"),
    ]:
        if not value.strip():
            errors[field] = message
    _raise(errors)
    dispute = RecordDispute.objects.create(
        person_id=request.subject_id, request=request, disputed=disputed.strip(), statement=statement.strip(),
        council_reason=council_reason.strip(), recorded_by=by, recorded_at=timezone.now())
    request.status, request.handled_by = RequestStatus.IN_PROGRESS, request.handled_by or by
    request.save()
    _audit(by, Action.CREATE, "record_dispute.create", request, dispute_id=dispute.pk)
    return dispute


# --- Article 19: telling the people we disclosed to ---------------------------------------------

def disclosure_recipients(person_id):
    """Organisations the family's information was disclosed to, for the families the person is or was in,
    as {organisation: [disclosures]} (UK GDPR Article 19)."""
    families = Membership.objects.filter(person_id=person_id).values("household_id")
    found = {}
    for disclosure in (Disclosure.objects.filter(shared=True, household_id__in=families,
                                                 recipient_organisation__isnull=False)
                       .select_related("recipient_organisation").order_by("decided_at", "pk")):
        found.setdefault(disclosure.recipient_organisation, []).append(disclosure)
    return found


def _list_notifications(request, person_id) -> list:
    rows = []
    for organisation, disclosures in disclosure_recipients(person_id).items():
        rows.append(RecipientNotification.objects.create(request=request, organisation=organisation,
                                                         disclosures=[d.pk for d in disclosures]))
    return rows


@transaction.atomic
def record_notification(*, by, notification, notified_on: datetime.date, method: str,
                        note: str = "") -> RecipientNotification:
    _require_handler(by)
    notification = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.is_done:
        raise ValidationError("Telling this recipient has already been recorded")
    errors = {}
    if method not in NotificationMethod.values:
        errors["method"] = "Choose how you told the recipient"
    elif method == NotificationMethod.NOT_POSSIBLE and not note.strip():
        errors["note"] = "Enter why the recipient could not be told"
    if notified_on is None:
        errors["notified_on"] = "Enter the date you told the recipient"
    else:
        _not_future(errors, "notified_on", notified_on, "The date you told the recipient")
        if notified_on < notification.request.received_on:
            errors["notified_on"] = "The date you told the recipient must be after the request arrived"
    _raise(errors)
    notification.notified_on, notification.method, notification.note = notified_on, method, note.strip()
    notification.recorded_by = by
    notification.save()
    _audit(by, Action.CHANGE, "rights_notification.record", notification.request, notification_id=notification.pk,
           method=method, organisation_id=notification.organisation_id)
    return notification


# --- Restriction ----------------------------------------------------------------------------------

@transaction.atomic
def lift_restriction(*, by, restriction, reason: str, person_told_on: datetime.date) -> ProcessingRestriction:
    """Lifting is recorded on the restriction, which stays. The person is told first (Article 18(3))."""
    _require_handler(by)
    restriction = ProcessingRestriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.is_active:
        raise ValidationError("This restriction has already been lifted")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why the restriction is being lifted"
    if person_told_on is None:
        errors["person_told_on"] = "Enter the date you told the person the restriction would be lifted"
    else:
        _not_future(errors, "person_told_on", person_told_on, "The date you told the person")
        if person_told_on < timezone.localdate(restriction.started_at):
            errors["person_told_on"] = "The date you told the person must be after the restriction started"
    _raise(errors)
    restriction.lifted_by, restriction.lifted_at = by, timezone.now()
    restriction.lift_reason, restriction.person_told_on = reason.strip(), person_told_on
    restriction.save()
    _audit(by, Action.CHANGE, "processing_restriction.lift", restriction.request, restriction_id=restriction.pk,
           person_id=restriction.person_id)
    return restriction


# --- Decisions ------------------------------------------------------------------------------------

def standard_answer(kind: str) -> str:
    return STANDARD_ANSWERS.get(kind, "")


def _decision_errors(request, outcome, reason, response_text):
    errors = {}
    if outcome not in OUTCOMES.get(request.kind, []):
        errors["outcome"] = "Choose a decision from the list"
        return errors
    if request.status == RequestStatus.AWAITING_ID and outcome != Outcome.REFUSED:
        errors["outcome"] = ("Until proof of identity or authority arrives the request can only be refused: record "
                             "the proof first")
    if outcome in REFUSALS and not reason.strip():
        errors["reason"] = "Enter the reasons for refusing: they are given to the requester"
    elif outcome not in REASON_OPTIONAL and not reason.strip():
        errors["reason"] = "Enter the reasons for the decision"
    elif request.kind == RequestKind.RESTRICTION and outcome == Outcome.COMPLIED and not reason.strip():
        errors["reason"] = "Enter why use of the record is restricted"
    if outcome in ANSWERED and not response_text.strip():
        errors["response_text"] = "Enter the answer given to the requester"
    kind, subject_missing = request.kind, request.subject_id is None
    if kind == RequestKind.RECTIFICATION and outcome in (Outcome.COMPLIED, Outcome.PARTLY) \
            and not request.corrected_fields:
        errors["outcome"] = "Make the corrections first: none has been recorded under this request"
    if kind == RequestKind.RECTIFICATION and outcome == Outcome.DISPUTED and not request.disputes.exists():
        errors["outcome"] = "Record what the person disputes and their statement first"
    if kind in (RequestKind.ERASURE, RequestKind.RESTRICTION) and outcome == Outcome.COMPLIED:
        if subject_missing:
            errors["outcome"] = "There is no record of this person on the system"
        elif kind == RequestKind.RESTRICTION and restrictions.person_is_restricted(request.subject_id):
            errors["outcome"] = "Use of this person's record is already restricted"
    if kind == RequestKind.CONSENT_WITHDRAWAL and request.consent_id is not None:
        if request.consent.status != ConsentStatus.WITHDRAWN:
            errors["outcome"] = ("The withdrawal of consent has not been processed yet: complete it on the consent "
                                 "withdrawals page first")
    return errors


@transaction.atomic
def decide(*, by, request, outcome: str, reason: str = "", response_text: str = "", documents=()) -> RightsRequest:
    """Decide a request, with reasons; the decision's effect happens in the same transaction:

    - an approved erasure calls `retention.erasure.erase_person` (the request remains, scrubbed, as the record);
    - an approved restriction starts a `ProcessingRestriction` on the person's record;
    - corrections, erasures and restrictions list everyone the family's information was disclosed to, so
      each can be told (Article 19);
    - a complaint's answer always tells the complainant they can go on to the ICO (P25).
    """
    _require_handler(by)
    request = _locked(request)
    if request.status == RequestStatus.AWAITING_CLARIFICATION:
        raise ValidationError("Record the clarification first: the clock is paused")
    if request.status not in OPEN_STATUSES:
        raise ValidationError("A decision has already been made on this request")
    _raise(_decision_errors(request, outcome, reason, response_text))

    response_text = response_text.strip()
    if request.kind == RequestKind.COMPLAINT and "Information Commissioner" not in response_text:
        response_text = f"{response_text}\n\n{ICO_TEXT}".strip()
    request.outcome, request.outcome_reason, request.response_text = outcome, reason.strip(), response_text
    request.decided_by, request.decided_at, request.completed_on = by, timezone.now(), _today()
    request.status = RequestStatus.REFUSED if outcome in REFUSALS else RequestStatus.COMPLETED
    request.handled_by = request.handled_by or by
    request.save()

    effects = {}
    if (request.kind, outcome) in ARTICLE_19:
        effects["notification_ids"] = [n.pk for n in _list_notifications(request, request.subject_id)]
    if request.kind == RequestKind.RESTRICTION and outcome == Outcome.COMPLIED:
        effects["restriction_id"] = ProcessingRestriction.objects.create(
            person_id=request.subject_id, request=request, reason=reason.strip(), started_by=by,
            started_at=timezone.now()).pk
    _audit(by, Action.CHANGE, "rights_request.decide", request, outcome=outcome, **effects)
    if request.kind == RequestKind.ERASURE and outcome == Outcome.COMPLIED:
        _erase(request, by, documents)
    return request


def _erase(request, by, documents=()):
    person = Person.objects.get(pk=request.subject_id)
    erasure.erase_person(person=person, request=request, approved_by=by, documents=documents)
    request.refresh_from_db()
