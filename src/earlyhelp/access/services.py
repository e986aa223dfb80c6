"""Changes to who may see a family: restriction and named exclusions. Managers of the holding team only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import TafMember

from . import policy
from .models import AccessExclusion


def _require_manager(by, household):
    access = policy.family_access(by, household.pk)
    if access is None or not access.can_manage:
        raise PermissionDenied("Only a manager of the team holding this family can change who may see it")


@transaction.atomic
def set_restricted(*, by, household, restricted: bool, reason: str):
    _require_manager(by, household)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the change"})
    household.is_restricted = restricted
    household.save(update_fields=["is_restricted"])
    audit.record(actor=by, action=Action.CHANGE, event="household.restrict" if restricted else "household.unrestrict",
                 purpose=Purpose.EARLY_HELP_CASEWORK, objects=[household], household_id=household.pk)
    return household


@transaction.atomic
def exclude(*, by, household, user, reason: str) -> AccessExclusion:
    """Name someone who must not see this family ("who should not see this")."""
    _require_manager(by, household)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why this person must not see the family's record"
    if user.pk == by.pk:
        errors["user"] = "You cannot exclude yourself: ask another manager"
    if household.episodes.exclude(status="closed").filter(lead_practitioner=user).exists():
        errors["user"] = "This person is the lead practitioner: allocate someone else first"
    if household.access_exclusions.filter(user=user).exists():
        errors["user"] = "This person is already excluded"
    if errors:
        raise ValidationError(errors)
    exclusion = AccessExclusion.objects.create(household=household, user=user, reason=reason.strip(), recorded_by=by)
    # An excluded partner leaves the Team Around the Family too.
    TafMember.objects.filter(episode__household=household, practitioner=user, end_date__isnull=True).update(
        end_date=timezone.localdate())
    audit.record(actor=by, action=Action.CHANGE, event="household.exclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[exclusion], household_id=household.pk, metadata={"user_id": user.pk})
    return exclusion


@transaction.atomic
def remove_exclusion(*, by, exclusion: AccessExclusion):
    household = exclusion.household
    _require_manager(by, household)
    audit.record(actor=by, action=Action.CHANGE, event="household.unexclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[exclusion], household_id=household.pk, metadata={"user_id": exclusion.user_id})
    exclusion.delete()
