"""Human decisions on everything the system suggests (P13).

The system may only *propose* (`suggest`); nothing changes until a named person accepts a proposal with a
reason (`decide`), which then applies the kind's effect in the same transaction. A rejected proposal is
kept, so the same thing is never proposed again.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .models import Suggestion, SuggestionKind, SuggestionStatus

# kind -> (who may decide: fn(user, suggestion) -> bool, what accepting does: fn(suggestion, by)), by dotted path
# so this module need not import the apps whose suggestions it holds.
HANDLERS = {
    SuggestionKind.ELIGIBILITY: ("earlyhelp.programme.services.may_decide_eligibility",
                                 "earlyhelp.programme.services.confirm_eligibility"),
    SuggestionKind.RETENTION: ("earlyhelp.retention.disposal.may_decide_disposal", "earlyhelp.retention.disposal.accept_disposal_batch"),
    SuggestionKind.MATCH: ("earlyhelp.matching.review.may_decide_match", "earlyhelp.matching.review.accept_match"),
    SuggestionKind.NEW_PERSON: ("earlyhelp.matching.review.may_decide_match",
                                "earlyhelp.matching.review.accept_new_person"),
}
# Decisions on data matches are recorded under data matching, the rest under casework.
AUDIT_PURPOSES = {SuggestionKind.MATCH: Purpose.DATA_MATCHING, SuggestionKind.NEW_PERSON: Purpose.DATA_MATCHING}


def suggest(*, kind: str, key: str, rule: str, household=None) -> Suggestion | None:
    """Propose something once. Returns the pending proposal, or None if a person has already decided on it."""
    existing = Suggestion.objects.filter(kind=kind, key=key).first()
    if existing is not None:
        return existing if existing.status == SuggestionStatus.PENDING else None
    return Suggestion.objects.create(kind=kind, key=key, rule=rule, household=household)


@transaction.atomic
def decide(*, by, suggestion_id: int, accept: bool, reason: str) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    if suggestion is None:
        raise ValidationError("There is no such suggestion")
    may_decide, apply = (import_string(path) for path in HANDLERS[suggestion.kind])
    if not may_decide(by, suggestion):
        raise PermissionDenied("You cannot decide on this suggestion")
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError("This suggestion has already been decided")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for your decision"})
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED
    suggestion.decided_by, suggestion.decided_at, suggestion.reason = by, timezone.now(), reason.strip()
    suggestion.save()
    if accept:
        apply(suggestion, by)
    audit.record(actor=by, action=Action.CHANGE, event=f"suggestion.{suggestion.status}",
                 purpose=AUDIT_PURPOSES.get(suggestion.kind, Purpose.EARLY_HELP_CASEWORK), objects=[suggestion],
                 household_id=suggestion.household_id,
                 metadata={"kind": suggestion.kind})
    return suggestion


def pending_for(household):
    return household.suggestions.filter(status=SuggestionStatus.PENDING).order_by("pk")
