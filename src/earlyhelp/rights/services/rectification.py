"""Correcting a person's record under a rights request, or marking it as disputed when the council does not agree
it is wrong (UK GDPR Article 16, P5). Who is then told is `notifications` (Article 19)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import restrictions
from earlyhelp.audit.models import Action
from earlyhelp.people import services as people
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import Ethnicity, Gender, Person, SpecialEducationalNeeds, YesNoUnknown

from .. import messages
from ..models import RecordDispute, RequestKind, RequestStatus, RightsRequest
from ._common import locked, raise_errors, record_event, require_handler, require_running

# What a correction can change, through the people services that keep the record's history.
PERSON_FIELDS = ("given_name", "family_name", "preferred_name", "date_of_birth", "gender", "ethnicity",
                 "first_language", "disability", "special_educational_needs")
CHOICE_FIELDS = {"gender": Gender, "ethnicity": Ethnicity, "disability": YesNoUnknown,
                 "special_educational_needs": SpecialEducationalNeeds}
IDENTIFIER_FIELDS = tuple(f"identifier_{scheme}" for scheme in IdentifierScheme.values)
ADDRESS_FIELDS = ("line_1", "line_2", "town", "postcode", "valid_from")


def _require_subject(request, errors, field="__all__"):
    if request.subject_id is None:
        errors[field] = messages.NO_RECORD_OF_PERSON


@transaction.atomic
def apply_corrections(*, by, request, changes: dict) -> RightsRequest:
    """Correct the person's record through the people services, which keep what was there before (history).

    `changes` maps field names (PERSON_FIELDS, IDENTIFIER_FIELDS, or the new current address as
    ADDRESS_FIELDS) to corrected values. Only fields whose value differs are changed.
    """
    require_handler(by)
    request = locked(request)
    if request.kind != RequestKind.RECTIFICATION:
        raise ValidationError("Corrections are made only under a request to correct information")
    require_running(request)
    errors = {}
    _require_subject(request, errors)
    raise_errors(errors)
    person = Person.objects.select_for_update().get(pk=request.subject_id)
    unknown = set(changes) - set(PERSON_FIELDS) - set(IDENTIFIER_FIELDS) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValidationError("Only a person's details, identifiers and address can be corrected here")
    person_changes = {f: v for f, v in changes.items() if f in PERSON_FIELDS and getattr(person, f) != v}
    names = {name: (person_changes[name] or "").strip() for name in ("given_name", "family_name")
             if name in person_changes}
    person_changes.update(names)
    errors.update(people.missing_names(**names))
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
    raise_errors(errors)

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
    record_event(by, Action.CHANGE, "rights_request.correct", request, person_id=person.pk, fields=sorted(corrected))
    return request


@transaction.atomic
def record_dispute(*, by, request, disputed: str, statement: str, council_reason: str) -> RecordDispute:
    """The council does not agree the record is wrong: it stays, marked as disputed with the person's statement."""
    require_handler(by)
    request = locked(request)
    if request.kind != RequestKind.RECTIFICATION:
        raise ValidationError("A record is marked as disputed only under a request to correct information")
    require_running(request)
    errors = {}
    _require_subject(request, errors)
    for field, value, message in [
        ("disputed", disputed, messages.ENTER_DISPUTED),
        ("statement", statement, messages.ENTER_STATEMENT),
        ("council_reason", council_reason, messages.ENTER_COUNCIL_REASON),
    ]:
        if not value.strip():
            errors[field] = message
    raise_errors(errors)
    dispute = RecordDispute.objects.create(
        person_id=request.subject_id, request=request, disputed=disputed.strip(), statement=statement.strip(),
        council_reason=council_reason.strip(), recorded_by=by, recorded_at=timezone.now())
    request.status, request.handled_by = RequestStatus.IN_PROGRESS, request.handled_by or by
    request.save()
    record_event(by, Action.CREATE, "record_dispute.create", request, dispute_id=dispute.pk)
    return dispute
