"""Referrals out: the family referred to another service, the referral logged as a disclosure (P7, P8)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit.models import Action
from earlyhelp.audit.refused import audit_refusals
from earlyhelp.organisations.models import Organisation, User
from earlyhelp.privacy.models import DisclosureBasis, DisclosureKind
from earlyhelp.privacy.services import disclosures

from .. import messages
from ..models import Episode, ReferralOut
from ._common import _audit, _require, _today


@audit_refusals
@transaction.atomic
def refer_out(*, by: User, episode: Episode, organisation: Organisation, service: str, sections, reason: str,
              basis: str = DisclosureBasis.CONSENT, recipient_person: str = "", approved_by: User | None = None,
              ) -> ReferralOut:
    """Refer the family to another service. What the referral sends is a disclosure and must pass its rules."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    if not service.strip():
        raise ValidationError({"service": messages.ENTER_REFERRAL_SERVICE})
    disclosure = disclosures.record_disclosure(
        by=by, household=episode.household, recipient_organisation=organisation, recipient_person=recipient_person,
        purpose_code=disclosures.purpose_for(basis), basis=basis, sections=sections, reason=reason,
        approved_by=approved_by, kind=DisclosureKind.REFERRAL)
    referral = ReferralOut.objects.create(episode=episode, organisation=organisation, service=service.strip(),
                                          disclosure=disclosure, made_by=by, made_on=_today())
    _audit(by, Action.CREATE, "referral_out.create", referral, episode.household_id, organisation_id=organisation.pk)
    return referral
