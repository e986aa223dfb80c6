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
    household.is_restricted, household.restriction_reason = restricted, reason.strip()
    household.restriction_changed_by, household.restriction_changed_at = by, timezone.now()
    household.save(update_fields=["is_restricted", "restriction_reason", "restriction_changed_by",
                                  "restriction_changed_at"])
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
    current = household.episodes.filter(is_current=True).first()
    if current and current.lead_practitioner_id == user.pk:
        errors["user"] = "This person is the lead practitioner: allocate someone else first"
    if current and user.role == "team_manager" and user.team_id == current.team_id:
        errors["user"] = "A manager of the team holding the family cannot be excluded: ask the service manager"
    if household.access_exclusions.filter(user=user, ended_at__isnull=True).exists():
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
def end_exclusion(*, by, exclusion: AccessExclusion):
    """Lift an exclusion; the record of it (reason, who, when) is kept."""
    household = exclusion.household
    _require_manager(by, household)
    if exclusion.ended_at:
        raise ValidationError("This exclusion has already been lifted")
    exclusion.ended_at, exclusion.ended_by = timezone.now(), by
    exclusion.save(update_fields=["ended_at", "ended_by"])
    audit.record(actor=by, action=Action.CHANGE, event="household.unexclude", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[exclusion], household_id=household.pk, metadata={"user_id": exclusion.user_id})
    return exclusion
