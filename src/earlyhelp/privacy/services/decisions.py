"""Human decisions on everything the system suggests (P13).

The system may only *propose* (`suggest`); nothing changes until a named person accepts a proposal with a
reason (`decide`), which then applies the kind's effect in the same transaction. A rejected proposal is
kept, so the same thing is never proposed again.

Each app that proposes things declares its kinds in its own `human_decisions.py` as `DECISION_KINDS`: who
may decide (a permission, and optionally a capability on the family's record) and what accepting does. This
module finds them (as `inventory` finds `personal_data.py`), so it imports none of the apps that use it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from ..messages import ENTER_DECISION_REASON
from ..models import Suggestion, SuggestionKind, SuggestionStatus


@dataclass(frozen=True)
class DecisionKind:
    kind: str  # a SuggestionKind
    permission: policy.Permission  # the role must grant this
    apply: Callable  # what accepting does: fn(suggestion, by)
    family_need: str | None = None  # and the decider's access to the family must have this capability
    purpose: str = Purpose.EARLY_HELP_CASEWORK  # what the decision is audited under


@cache
def kinds() -> dict[str, DecisionKind]:
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("earlyhelp."):
            continue
        try:
            module = import_module(f"{config.name}.human_decisions")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.human_decisions":
                raise
            continue
        for declared in module.DECISION_KINDS:
            if declared.kind in found:
                raise ImproperlyConfigured(f"Decision kind {declared.kind} is declared twice")
            found[declared.kind] = declared
    missing = set(SuggestionKind) - set(found)
    if missing:
        raise ImproperlyConfigured(f"No app declares the decision kinds {sorted(missing)} (human_decisions.py)")
    return found


def may_decide(user, suggestion) -> bool:
    declared = kinds()[suggestion.kind]
    if not policy.has_permission(user, declared.permission):
        return False
    if declared.family_need is None:
        return True
    access = policy.family_access(user, suggestion.household_id)
    return bool(access and getattr(access, declared.family_need))


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
    declared = kinds()[suggestion.kind]
    if not may_decide(by, suggestion):
        raise PermissionDenied("You cannot decide on this suggestion")
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError("This suggestion has already been decided")
    if not reason.strip():
        raise ValidationError({"reason": ENTER_DECISION_REASON})
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED
    suggestion.decided_by, suggestion.decided_at, suggestion.reason = by, timezone.now(), reason.strip()
    suggestion.save()
    if accept:
        declared.apply(suggestion, by)
    audit.record(actor=by, action=Action.CHANGE, event=f"suggestion.{suggestion.status}",
                 purpose=declared.purpose, objects=[suggestion],
                 household_id=suggestion.household_id,
                 metadata={"kind": suggestion.kind})
    return suggestion


def pending_for(household):
    return household.suggestions.filter(status=SuggestionStatus.PENDING).order_by("pk")
