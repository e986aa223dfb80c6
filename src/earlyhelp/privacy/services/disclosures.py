"""The disclosure log: every sharing decision outside the holding team, with what, to whom and why.

A disclosure must fit the processing register (the recipient's organisation type is listed for the
purpose) or the family's consent; anything else needs a legal reason (risk of harm, crime, fraud,
the law) approved by a manager of the team holding the family (P7, P8, P17).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Household

from ..governance.agreements import cites_agreement
from ..messages import CHOOSE_SHARING_BASIS, ENTER_DISCLOSURE_REASONS
from ..models import (
    LEGAL_REASON_BASES,
    Disclosure,
    DisclosureBasis,
    DisclosureKind,
    DisclosureSection,
    ProcessingPurpose,
)
from .consent import sharing_permitted


def purpose_for(basis: str, *, within_council: bool = False) -> str:
    """The register purpose a disclosure on this basis serves."""
    if basis in LEGAL_REASON_BASES:
        return "safeguarding_sharing_without_consent"
    return "early_help_casework" if within_council else "multi_agency_sharing"


def _is_manager_of(user, household_id) -> bool:
    access = policy.family_access(user, household_id) if user else None
    return bool(access and access.can_manage)


@cites_agreement  # records the data-sharing agreement that covers the recipient; `agreement=` names one
@transaction.atomic
def record_disclosure(*, by, household, recipient_organisation, purpose_code: str, basis: str, sections,
                      reason: str, shared: bool = True, recipient_person: str = "", approved_by=None,
                      kind: str = DisclosureKind.INFORMATION_REQUEST,
                      special_category_shared: bool = False) -> Disclosure:
    access = policy.family_access(by, household.pk)
    if access is None or not access.can_work_on_case:
        raise PermissionDenied("You cannot share this family's information")
    purpose = ProcessingPurpose.objects.filter(code=purpose_code, is_active=True).first()
    sections = sorted(set(sections or []))
    errors = {}
    if purpose is None:
        errors["purpose"] = "Choose a purpose from the processing register"
    if basis not in DisclosureBasis.values:
        errors["basis"] = CHOOSE_SHARING_BASIS
    if recipient_organisation is None or not recipient_organisation.is_active:
        errors["recipient_organisation"] = "Choose an organisation from the register"
    if not reason.strip():
        errors["reason"] = ENTER_DISCLOSURE_REASONS
    if kind not in DisclosureKind.values:
        errors["kind"] = "Choose what kind of disclosure this is"
    if set(sections) - set(DisclosureSection.values):
        errors["sections"] = "Choose sections from the list"
    if shared and not sections:
        errors["sections"] = "Choose what is being shared: only what the recipient needs"
    if not errors and shared:
        errors.update(_sharing_refusal(by, household, recipient_organisation, purpose, basis, approved_by))
    if errors:
        raise ValidationError(errors)
    approver = (approved_by or by) if basis in LEGAL_REASON_BASES and shared else None
    disclosure = Disclosure.objects.create(
        household=household, kind=kind, shared=shared, sections=sections if shared else [],
        recipient_organisation=recipient_organisation, recipient_person=recipient_person.strip(), purpose=purpose,
        basis=basis, reason=reason.strip(), approved_by=approver, decided_by=by, decided_at=timezone.now(),
        special_category_shared=special_category_shared and shared,
    )
    audit.record(actor=by, action=Action.EXPORT if shared else Action.CREATE,
                 event="disclosure.share" if shared else "disclosure.decline", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[disclosure], household_id=household.pk,
                 metadata={"kind": kind, "organisation_id": recipient_organisation.pk, "basis": basis, "sections": sections,
                           "register_purpose": purpose.code, "special_category_shared": disclosure.special_category_shared})
    return disclosure


def _sharing_refusal(by, household, organisation, purpose, basis, approved_by) -> dict:
    """Why this disclosure may not go ahead, as form errors; empty if it may."""
    kind = organisation.get_type_display().lower()
    if basis == DisclosureBasis.CONSENT and not sharing_permitted(household, organisation.type):
        return {"basis": f"The family's consent does not cover sharing with {kind}. Ask the family, or a manager "
                         "can approve a legal reason (risk of harm, crime, fraud, the law)"}
    if basis == DisclosureBasis.PUBLIC_TASK and organisation.type not in purpose.recipient_types:
        return {"basis": f"The processing register does not list {kind} as a recipient for "
                         f"{purpose.name.lower()}. A manager can approve a legal reason if one applies"}
    if basis in LEGAL_REASON_BASES and not _is_manager_of(approved_by or by, household.pk):
        return {"basis": "Sharing for a legal reason needs the approval of a manager of the team holding the "
                         "family: ask them to record it"}
    return {}


def disclosures_for(household):
    return household.disclosures.select_related("recipient_organisation", "purpose", "decided_by", "approved_by")


def dataset_disclosures_for(household):
    """Files about many families that included this family (National Impact Study transfers, research extracts):
    part of the family's disclosure log (P17)."""
    return household.dataset_disclosures.select_related("purpose", "decided_by")


@transaction.atomic
def record_subject_access_release(*, by, pack, household_ids) -> list[Disclosure]:
    """A released subject access pack goes to the person (or whoever acts for them): the law requires it
    (UK GDPR Article 15). It is logged on every family whose records it holds, so each family's log is complete."""
    purpose = ProcessingPurpose.objects.get(code="rights_requests", is_active=True)
    now = timezone.now()
    disclosures = [Disclosure.objects.create(
        household=household, kind=DisclosureKind.SUBJECT_ACCESS, shared=True, sections=sorted(DisclosureSection.values),
        recipient_organisation=None, recipient_person="", purpose=purpose, basis=DisclosureBasis.LEGAL_OBLIGATION,
        reason=f"Subject access request {pack.request.reference}: the law gives the person a right to a copy",
        approved_by=by, decided_by=by, decided_at=now,
    ) for household in Household.objects.filter(pk__in=household_ids)]
    audit.record(actor=by, action=Action.EXPORT, event="subject_access.release", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"request_id": pack.request_id, "families": len(disclosures)})
    return disclosures
