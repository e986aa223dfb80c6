"""Who works with the family: the lead practitioner's allocation and the Team Around the Family, including
the members who leave it when the family withdraws the consent they were invited on."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.audit.refused import audit_refusals
from earlyhelp.organisations.models import User
from earlyhelp.privacy.models import LEGAL_REASON_BASES, DisclosureBasis, DisclosureKind, DisclosureSection
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures

from .. import messages
from ..models import Allocation, Episode, TafMember
from ._common import _audit, _require, _today


@transaction.atomic
def allocate(*, by: User, episode: Episode, practitioner: User, family_preference: str = "") -> Allocation:
    _require(by, episode.household_id, "can_manage")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    if not policy.may_lead_cases(practitioner):
        raise ValidationError({"practitioner": "Choose an active practitioner who can be a lead practitioner"})
    if policy.is_excluded(episode.household, user=practitioner):
        raise ValidationError({"practitioner": messages.PRACTITIONER_EXCLUDED})
    episode.allocations.filter(end_date__isnull=True).update(end_date=_today())
    allocation = Allocation.objects.create(episode=episode, practitioner=practitioner, allocated_by=by,
                                           start_date=_today(), family_preference_noted=family_preference.strip())
    episode.lead_practitioner = practitioner
    episode.save()
    _audit(by, Action.CHANGE, "episode.allocate", episode, episode.household_id, practitioner_id=practitioner.pk)
    return allocation


# A Team Around the Family member sees the whole record the policy shows them (special category areas only
# as markers unless granted), so the invitation discloses every section.
TAF_SECTIONS = [section.value for section in DisclosureSection]


@audit_refusals
@transaction.atomic
def add_taf_member(*, by: User, episode: Episode, practitioner: User, special_category_access: bool = False,
                   basis: str | None = None, reason: str = "", approved_by: User | None = None) -> TafMember:
    """Invite a practitioner to the Team Around the Family. Anyone from outside the holding team receives the
    family's information, so the invitation goes through the disclosure log and its rules (P7): by default on the
    family's consent for a partner, on the public task for a colleague in the council."""
    _require(by, episode.household_id, "can_work_on_case")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    if not practitioner.is_active:
        raise ValidationError({"practitioner": "Choose an active practitioner"})
    if not policy.may_join_team_around_family(practitioner):
        raise ValidationError({"practitioner": "Choose a practitioner whose role includes work with families"})
    # Named, or of an organisation type the family excluded (B3): refused, audited, whoever would invite them.
    disclosures.refuse_if_excluded(by=by, household=episode.household, user=practitioner,
                                   kind=DisclosureKind.TAF_INVITATION, field="practitioner")
    if episode.taf_members.filter(practitioner=practitioner, end_date__isnull=True).exists():
        raise ValidationError({"practitioner": "This practitioner is already on the Team Around the Family"})
    disclosure = None
    if practitioner.team_id != episode.team_id:
        colleague = practitioner.organisation_id == episode.team.organisation_id
        basis = basis or (DisclosureBasis.PUBLIC_TASK if colleague else DisclosureBasis.CONSENT)
        if basis in LEGAL_REASON_BASES and not reason.strip():
            raise ValidationError({"reason": "Enter why you are sharing without consent: the reason is recorded"})
        grant = "with access to special category areas" if special_category_access else \
            "special category areas shown only as markers"
        disclosure = disclosures.record_disclosure(
            by=by, household=episode.household, recipient_organisation=practitioner.organisation,
            recipient_person=practitioner.get_full_name(),
            purpose_code=disclosures.purpose_for(basis, within_council=colleague), basis=basis,
            sections=TAF_SECTIONS, reason=reason.strip() or f"Invited to the Team Around the Family ({grant})",
            approved_by=approved_by, kind=DisclosureKind.TAF_INVITATION, recipient_user=practitioner)
    member = TafMember.objects.create(episode=episode, practitioner=practitioner,
                                      organisation=practitioner.organisation, added_by=by, start_date=_today(),
                                      special_category_access=special_category_access, disclosure=disclosure)
    _audit(by, Action.CHANGE, "taf.add", member, episode.household_id, practitioner_id=practitioner.pk,
           special_category_access=special_category_access)
    return member


@transaction.atomic
def end_taf_member(*, by: User, member: TafMember) -> TafMember:
    _require(by, member.episode.household_id, "can_work_on_case", changes_record=False)  # less sharing: allowed
    member.end_date = _today()
    member.save()
    _audit(by, Action.CHANGE, "taf.end", member, member.episode.household_id)
    return member


def end_taf_members_no_longer_consented(*, by, household):
    """Team Around the Family members invited on consent that no longer covers their organisation type leave
    the team at once: their access was the sharing. Registered with
    `privacy.services.consent.when_sharing_withdrawn`, so it runs inside every withdrawal's transaction."""
    today = timezone.localdate()
    invited_on_consent = TafMember.objects.filter(
        episode__household=household, end_date__isnull=True, disclosure__basis=DisclosureBasis.CONSENT,
    ).select_related("organisation")
    for member in invited_on_consent:
        if not consents.sharing_permitted(household, member.organisation.type):
            member.end_date = max(today, member.start_date)
            member.save(update_fields=["end_date"])
            audit.record(actor=by, action=Action.CHANGE, event="taf.end", purpose=Purpose.EARLY_HELP_CASEWORK,
                         objects=[member], household_id=household.pk, metadata={"reason": "consent_withdrawn"})
