"""The family plan: need, action, who is responsible, intended outcome and due date; and progress on each."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit.models import Action
from earlyhelp.audit.refused import audit_refusals
from earlyhelp.organisations.models import User
from earlyhelp.privacy.services import consent as consents
from earlyhelp.programme.models import HeadlineArea

from .. import messages
from ..models import ActionStatus, Episode, Plan, PlanAction
from ._common import _audit, _require, _require_open


def allowed_action_owners(episode):
    owners = set(episode.taf_members.filter(end_date__isnull=True).values_list("practitioner_id", flat=True))
    if episode.lead_practitioner_id:
        owners.add(episode.lead_practitioner_id)
    return owners


@audit_refusals
@transaction.atomic
def add_plan_action(*, by: User, episode: Episode, area_code: str, need: str, action: str, owner: User,
                    intended_outcome: str, due_date: datetime.date) -> PlanAction:
    """Agree an action with the family: the first one starts the plan. Where the council's rule needs the family's
    consent to support (P6), no action is agreed without it (a withdrawal leaves earlier actions as they are)."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    consents.require_consent_to_support(by=by, household=episode.household, starting="plan")
    errors = {}
    area = HeadlineArea.objects.filter(code=area_code).first()
    if area is None:
        errors["area"] = "Select the headline area this need belongs to"
    for field, value, message in [("need", need, messages.ENTER_NEED), ("action", action, messages.ENTER_ACTION),
                                  ("intended_outcome", intended_outcome, messages.ENTER_INTENDED_OUTCOME)]:
        if not value.strip():
            errors[field] = message
    if owner.pk not in allowed_action_owners(episode):
        errors["owner"] = "The person responsible must be the lead practitioner or on the Team Around the Family"
    if due_date < episode.opened_on:
        errors["due_date"] = "The due date must be after the episode opened"
    if errors:
        raise ValidationError(errors)
    plan, _ = Plan.objects.get_or_create(episode=episode, defaults={"created_by": by})
    item = PlanAction.objects.create(plan=plan, area=area, need=need.strip(), action=action.strip(), owner=owner,
                                     intended_outcome=intended_outcome.strip(), due_date=due_date)
    _audit(by, Action.CREATE, "plan_action.create", item, episode.household_id)
    return item


@transaction.atomic
def update_action_progress(*, by: User, item: PlanAction, status: str, progress_note: str) -> PlanAction:
    """TAF members update their own actions; the lead and the team can update any."""
    household_id = item.plan.episode.household_id
    access = policy.family_access(by, household_id)
    if access is None or not (access.can_work_on_case or item.owner_id == by.pk):
        raise PermissionDenied("You can only update actions you are responsible for")
    ensure_not_restricted(household=household_id)
    _require_open(item.plan.episode)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Select the status of the action"})
    item.status, item.progress_note = status, progress_note.strip()
    item.save()
    _audit(by, Action.CHANGE, "plan_action.update", item, household_id, status=status)
    return item
