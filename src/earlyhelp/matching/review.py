"""Match review: a person confirms or rejects each candidate, and decides on new people (P13).

Decisions go through `privacy.services.decisions.decide` (a named person and a reason, kept for ever); these are the
handlers it calls. Confirming a link attaches the partner's record to the person, with its provenance (P17),
and adds the identifiers it brings that the person lacks. The record's other waiting candidates are rejected in
the same decision: the reviewer has said who the record is about. A record that matches nobody becomes a new
person only when a person decides so, with a reason.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted, without_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people import services as people
from earlyhelp.people.models import Address, Identifier, Person
from earlyhelp.privacy.models import (
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from earlyhelp.privacy.services import decisions
from earlyhelp.records.provenance import SourceKind

from . import needs
from .models import (
    IDENTIFIER_FIELDS,
    MatchCandidate,
    RunStatus,
    SourceRecord,
    new_person_suggestion_key,
)

logger = logging.getLogger(__name__)

PURPOSE = Purpose.DATA_MATCHING
LINKED_ELSEWHERE = "The record was linked to another person in the same review"


def reviewable(candidates):
    """Candidates without people whose processing is restricted (Article 18): they are neither shown nor linked
    until the restriction is lifted."""
    return without_restricted(candidates, person="person")


def pending_candidates():
    return (reviewable(MatchCandidate.objects.filter(suggestion__status=SuggestionStatus.PENDING))
            .select_related("record__batch__source_organisation", "person", "run", "suggestion"))


def _provenance(record: SourceRecord) -> dict:
    return {"source_kind": SourceKind.DATA_MATCH, "source_organisation": record.batch.source_organisation,
            "source_reference": record.batch.reference}


def _attach(record: SourceRecord, person: Person, by) -> list[str]:
    """Link the record to the person and add the identifiers it brings that nobody holds yet; returns the schemes
    added (identifiers held by someone else are left for a person to look into, never moved)."""
    record.person, record.linked_by, record.linked_at = person, by, timezone.now()
    record.save(update_fields=["person", "linked_by", "linked_at"])
    added = []
    held_schemes = set(person.identifiers.values_list("scheme", flat=True))
    for scheme, column in IDENTIFIER_FIELDS.items():
        value = getattr(record, column)
        if not value or scheme in held_schemes or Identifier.objects.filter(scheme=scheme, value=value).exists():
            continue
        Identifier.objects.create(person=person, scheme=scheme, value=value, **_provenance(record))
        added.append(scheme)
    needs.suggest_needs(record)
    return added


def accept_match(suggestion: Suggestion, by) -> None:
    """The reviewer confirmed the pair: link the record to the person (called by `decisions.decide`)."""
    candidate = MatchCandidate.objects.select_related("record__batch", "person").get(suggestion=suggestion)
    record = SourceRecord.objects.select_for_update().select_related("batch").get(pk=candidate.record_id)
    if record.person_id is not None:
        raise ValidationError("This record has already been linked to someone: reject this match instead")
    ensure_not_restricted(person=candidate.person)
    added = _attach(record, candidate.person, by)
    for other in (MatchCandidate.objects.filter(record=record, suggestion__status=SuggestionStatus.PENDING)
                  .exclude(pk=candidate.pk)):
        decisions.decide(by=by, suggestion_id=other.suggestion_id, accept=False, reason=LINKED_ELSEWHERE)
    audit.record(actor=by, action=Action.CHANGE, event="source_record.link", purpose=PURPOSE,
                 objects=[record, candidate.person], metadata={"identifiers_added": added})


def accept_new_person(suggestion: Suggestion, by) -> None:
    """The reviewer decided the record is someone the council does not know: add them to the person index."""
    record = SourceRecord.objects.select_for_update().select_related("batch").get(new_person_suggestion=suggestion)
    if record.person_id is not None:
        raise ValidationError("This record has already been linked to someone")
    if MatchCandidate.objects.filter(record=record, suggestion__status=SuggestionStatus.PENDING).exists():
        raise ValidationError("Decide on this record's possible matches first")
    person = people.create_person(by=by, given_name=record.given_name, family_name=record.family_name,
                                  date_of_birth=record.date_of_birth, **_provenance(record))
    if record.address_line_1 and record.postcode:
        # Partners send the first line and postcode, not the town: the address is kept as they sent it.
        Address.objects.create(person=person, line_1=record.address_line_1, town="", postcode=record.postcode,
                               valid_from=record.batch.received_on, **_provenance(record))
    _attach(record, person, by)


@transaction.atomic
def create_new_person(*, by, record: SourceRecord, reason: str) -> Person:
    """Decide, with a reason, that a record which matched nobody is a new person; returns them."""
    if not policy.has_permission(by, policy.Permission.DO_DATA_MATCHING):
        raise PermissionDenied("You cannot decide on data matches")
    record = SourceRecord.objects.select_for_update().select_related("batch").get(pk=record.pk)
    if record.new_person_suggestion_id is None:
        suggestion = decisions.suggest(kind=SuggestionKind.NEW_PERSON, key=new_person_suggestion_key(record),
                                       rule=f"Matched nobody in the person index (import {record.batch.reference})")
        if suggestion is None:
            raise ValidationError("A person has already decided whether this partner's record is someone new")
        record.new_person_suggestion = suggestion
        record.save(update_fields=["new_person_suggestion"])
    decisions.decide(by=by, suggestion_id=record.new_person_suggestion_id, accept=True, reason=reason)
    record.refresh_from_db()
    return record.person


def unmatched_records():
    """Imported records with no link and no candidate waiting: for a person to decide whether they are new."""
    return (SourceRecord.objects.filter(person__isnull=True, batch__linkage_runs__status=RunStatus.FINISHED)
            .exclude(candidates__suggestion__status=SuggestionStatus.PENDING)
            .distinct().select_related("batch__source_organisation"))
