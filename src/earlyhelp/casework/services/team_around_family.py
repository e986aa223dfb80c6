"""Who works with the family: the lead practitioner's allocation and the Team Around the Family, what each member
sees of the family's record (P8), and the members who leave it when the family withdraws the consent they were
invited on."""

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
from ..models import Allocation, Episode, TafMember, TafSectionChange
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


def _chosen_sections(sections) -> list[str]:
    """The sections a member will see: those chosen and the minimum every member sees (P8). Without a choice, the
    minimum: who is in the family and who is working with it. Anything more is chosen for the member's part."""
    chosen = set(sections or ())
    if chosen - set(DisclosureSection.values):
        raise ValidationError({"sections": messages.CHOOSE_TAF_SECTIONS_FROM_LIST})
    return sorted(policy.taf_sections(chosen))


def _sharing_basis(episode, practitioner, basis):
    """Outside the holding team, joining is a disclosure: by default on the family's consent for a partner, on
    the public task for a colleague in the council. None inside the holding team."""
    if practitioner.team_id == episode.team_id:
        return None, False
    colleague = practitioner.organisation_id == episode.team.organisation_id
    return basis or (DisclosureBasis.PUBLIC_TASK if colleague else DisclosureBasis.CONSENT), colleague


@audit_refusals
@transaction.atomic
def add_taf_member(*, by: User, episode: Episode, practitioner: User, special_category_access: bool = False,
                   sections=None, basis: str | None = None, reason: str = "",
                   approved_by: User | None = None) -> TafMember:
    """Invite a practitioner to the Team Around the Family. They see the sections named here and no others
    (`sections`, by default the minimum; P8). Anyone from outside the holding team receives the family's
    information, so the invitation goes through the disclosure log and its rules (P7), naming exactly those
    sections: by default on the family's consent for a partner, on the public task for a colleague in the council."""
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
    shown = _chosen_sections(sections)
    disclosure = None
    basis, colleague = _sharing_basis(episode, practitioner, basis)
    if basis is not None:
        if basis in LEGAL_REASON_BASES and not reason.strip():
            raise ValidationError({"reason": "Enter why you are sharing without consent: the reason is recorded"})
        grant = "with access to special category areas" if special_category_access else \
            "special category areas shown only as markers"
        disclosure = disclosures.record_disclosure(
            by=by, household=episode.household, recipient_organisation=practitioner.organisation,
            recipient_person=practitioner.get_full_name(),
            purpose_code=disclosures.purpose_for(basis, within_council=colleague), basis=basis,
            sections=shown, reason=reason.strip() or f"Invited to the Team Around the Family ({grant})",
            approved_by=approved_by, kind=DisclosureKind.TAF_INVITATION, recipient_user=practitioner,
            special_category_shared=special_category_access)
    member = TafMember.objects.create(episode=episode, practitioner=practitioner,
                                      organisation=practitioner.organisation, added_by=by, start_date=_today(),
                                      special_category_access=special_category_access, disclosure=disclosure,
                                      sections=shown)
    _audit(by, Action.CHANGE, "taf.add", member, episode.household_id, practitioner_id=practitioner.pk,
           special_category_access=special_category_access, sections=shown)
    return member


@audit_refusals
@transaction.atomic
def change_taf_sections(*, by: User, member: TafMember, sections, reason: str = "",
                        approved_by: User | None = None) -> TafSectionChange:
    """Change the sections a Team Around the Family member sees (P8). Adding sections shares more: for a member
    from outside the holding team it is a new disclosure of exactly the sections added, on the basis they were
    invited on (checked again: the family's consent may have changed). Removing sections takes effect at once and
    is recorded, so the family's sharing log shows it."""
    episode = member.episode
    before = set(policy.taf_sections(member.sections))
    after = set(_chosen_sections(sections))
    added, removed = sorted(after - before), sorted(before - after)
    # Showing less is allowed even while a member's record is restricted (UK GDPR Article 18); showing more is not.
    _require(by, episode.household_id, "can_work_on_case", changes_record=bool(added))
    if member.end_date is not None:
        raise ValidationError("This practitioner is no longer on the Team Around the Family")
    if not episode.is_open:
        raise ValidationError(messages.EPISODE_CLOSED)
    if not added and not removed:
        raise ValidationError({"sections": messages.TAF_SECTIONS_UNCHANGED})
    disclosure = None
    basis = member.disclosure.basis if member.disclosure else _sharing_basis(episode, member.practitioner, None)[0]
    if added and basis is not None:
        if basis in LEGAL_REASON_BASES and not reason.strip():
            raise ValidationError({"reason": "Enter why you are sharing more without consent: the reason is recorded"})
        disclosure = disclosures.record_disclosure(
            by=by, household=episode.household, recipient_organisation=member.organisation,
            recipient_person=member.practitioner.get_full_name(),
            purpose_code=member.disclosure.purpose.code if member.disclosure else disclosures.purpose_for(
                basis, within_council=member.organisation_id == episode.team.organisation_id),
            basis=basis, sections=added,
            reason=reason.strip() or "More of the record shared with a member of the Team Around the Family",
            approved_by=approved_by, kind=DisclosureKind.TAF_INVITATION, recipient_user=member.practitioner,
            special_category_shared=member.special_category_access)
    member.sections = sorted(after)
    member.save(update_fields=["sections"])
    change = TafSectionChange.objects.create(member=member, added=added, removed=removed, sections=sorted(after),
                                             disclosure=disclosure, changed_by=by, changed_at=timezone.now())
    _audit(by, Action.CHANGE, "taf.sections", member, episode.household_id, added=added, removed=removed,
           sections=sorted(after))
    return change


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
