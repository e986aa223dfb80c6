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
UNKNOWN_PERSON = "Unknown person"
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
    # Someone who does not exist, is in no family, is not in the family named, or is only in families the caller
    # may not see all get the same answer (P2): the caller cannot tell which. Refusals are audited.
    if payload.household_id is not None:
        household = Household.objects.filter(pk=payload.household_id).first()
        if household is not None and not policy.may_record_contact_about(user, household):
            policy.record_refusal(user, household_id=household.pk, purpose=Purpose.API_ACCESS)
            household = None
        if household is None:
            # Nothing is said about the person: whether they exist is not the caller's to learn here.
            errors["household_id"] = "Unknown family"
        elif person is None or not Membership.objects.filter(person=person, household=household,
                                                              end_date__isnull=True).exists():
            if person is not None:
                policy.record_refusal(user, object_type="people.person", object_id=person.pk,
                                      purpose=Purpose.API_ACCESS)
            household = None
            errors["person_id"] = UNKNOWN_PERSON
    elif person is None:
        errors["person_id"] = UNKNOWN_PERSON
    else:
        current = sorted(set(Membership.objects.filter(person=person, end_date__isnull=True)
                             .values_list("household_id", flat=True)))
        hidden = {pk for pk in current if not policy.may_record_contact_about(user, Household(pk=pk))}
        if not current or hidden:
            for household_id in sorted(hidden):
                policy.record_refusal(user, household_id=household_id, purpose=Purpose.API_ACCESS)
            if not hidden:
                policy.record_refusal(user, object_type="people.person", object_id=person.pk,
                                      purpose=Purpose.API_ACCESS)
            errors["person_id"] = UNKNOWN_PERSON
        elif len(current) > 1:
            errors["household_id"] = "This person is a current member of more than one family: give household_id"
        else:
            household = Household.objects.get(pk=current[0])
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
