"""POST /api/referrals: record a contact (referral) about a person already in a family.

The ids in the body are resolved to records here; `casework.services.record_contact` checks the
caller's role, validates the rest and writes the contact and its audit event in one transaction,
so a refused referral leaves nothing behind.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Status

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.casework import services
from earlyhelp.organisations.models import Organisation, Team
from earlyhelp.people.models import Household, Membership, Person

from .errors import django_errors
from .schemas import Error, ReferralIn, ReferralOut

router = Router(tags=["referrals"])

# The service names the person the contact is about `subject`; callers know it as `person_id`.
_FIELD_NAMES = {"subject": "person_id", "source_organisation": "source_organisation_id", "team": "team_id"}


def _resolve(user, payload: ReferralIn) -> dict:
    errors = {}
    team = Team.objects.filter(pk=payload.team_id).first()
    if team is None:
        errors["team_id"] = "Unknown team"
    organisation = None
    if payload.source_organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.source_organisation_id, is_active=True).first()
        if organisation is None:
            errors["source_organisation_id"] = "Unknown source organisation"
    person = Person.objects.filter(pk=payload.person_id).first()
    household = None
    if person is None:
        errors["person_id"] = "Unknown person"
    elif payload.household_id is not None:
        household = Household.objects.filter(pk=payload.household_id).first()
        if household is None:
            errors["household_id"] = "Unknown family"
    else:
        current = list(Membership.objects.filter(person=person, end_date__isnull=True)
                       .values_list("household_id", flat=True).distinct()[:2])
        if not current:
            errors["person_id"] = "The person the referral is about must be a current member of a family"
        elif len(current) > 1:
            errors["household_id"] = "This person is a current member of more than one family: give household_id"
        else:
            household = Household.objects.get(pk=current[0])
    if household is not None and not policy.may_record_contact_about(user, household):
        # A family the caller may not see answers exactly as one that does not exist (P2), and is audited.
        policy.record_refusal(user, household_id=household.pk, purpose=Purpose.API_ACCESS)
        household = None
        errors["household_id" if payload.household_id is not None else "person_id"] = (
            "Unknown family" if payload.household_id is not None else "Unknown person")
    if errors:
        raise ValidationError(errors)
    return {"team": team, "source_organisation": organisation, "subject": person, "household": household}


@router.post("", response={201: ReferralOut, 400: Error, 401: Error, 403: Error, 422: Error},
             summary="Record a contact or referral about a person already known")
def create_referral(request, payload: ReferralIn):
    """Unknown team, organisation or person: 422 naming the field. A role that cannot record contacts:
    403. Nothing is written unless the whole referral is accepted."""
    user = request.auth
    if not policy.has_permission(user, policy.Permission.RECORD_CONTACTS):
        # Before the ids are looked up, so the answer reveals nothing about which records exist.
        raise PermissionDenied("Your role does not include recording contacts")
    records = _resolve(user, payload)
    try:
        contact = services.record_contact(
            by=user, channel=payload.channel, source=payload.source, reason=payload.reason,
            consent_at_referral=payload.consent_at_referral, received_at=payload.received_at,
            referrer_name=payload.referrer_name, **records,
        )
    except ValidationError as error:
        renamed = {}
        for field, message in django_errors(error):
            renamed.setdefault(_FIELD_NAMES.get(field, field) or "__all__", []).append(message)
        raise ValidationError(renamed) from error
    return Status(201, {"id": contact.pk, "household_id": contact.household_id, "status": contact.status,
                        "received_at": contact.received_at})
