"""The disclosure log: every sharing decision outside the holding team, with what, to whom and why.

A disclosure must fit the processing register (the recipient's organisation type is listed for the
purpose) or the family's consent; anything else needs a legal reason (risk of harm, crime, fraud,
the law) approved by a manager of the team holding the family (P7, P8, P17).

Whatever the basis, nothing goes to an organisation of a type, or a person, the family said must not see their
information (B3, `policy.exclusion_for`): the refusal is audited and nothing is written. Every way information
leaves (Team Around the Family invitations, referrals, panel packs, replies to requests) comes through here.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.audit.refused import Refused, audit_refusals
from earlyhelp.people.models import Household

from ..governance.agreements import cites_agreement
from ..messages import CHOOSE_SHARING_BASIS, ENTER_DISCLOSURE_REASONS, excluded_recipient
from ..models import (
    LEGAL_REASON_BASES,
    Disclosure,
    DisclosureBasis,
    DisclosureKind,
    DisclosureSection,
    Panel,
    ProcessingPurpose,
    RecipientKind,
    recipient_choices,
    recipient_label,
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


def refuse_if_excluded(*, by, household, organisation=None, user=None, kind: str = DisclosureKind.INFORMATION_REQUEST,
                       field: str = "recipient_organisation"):
    """Raise `Refused` if the family said this organisation's type, or this person, must not see their
    information. One check for every kind of sharing (a panel pack calls it for each member organisation)."""
    exclusion = policy.exclusion_for(household, user=user, organisation=organisation)
    if exclusion is not None:
        raise Refused({field: excluded_recipient(exclusion)}, actor=by, event="disclosure.refused",
                      purpose=Purpose.EARLY_HELP_CASEWORK, household_id=household.pk,
                      metadata={"kind": kind, "reason": "family_exclusion", "exclusion_id": exclusion.pk,
                                "organisation_id": getattr(organisation, "pk", None)})


@audit_refusals
@cites_agreement  # records the data-sharing agreement that covers the recipient; `agreement=` names one
@transaction.atomic
def record_disclosure(*, by, household, recipient_organisation, purpose_code: str, basis: str, sections,
                      reason: str, shared: bool = True, recipient_person: str = "", approved_by=None,
                      kind: str = DisclosureKind.INFORMATION_REQUEST,
                      special_category_shared: bool = False, recipient_user=None, panel: Panel | None = None,
                      pack_reference: str = "") -> Disclosure:
    """`recipient_user`: the practitioner who will see the information, when there is one (a Team Around the
    Family invitation), so a person the family named is refused as well as their organisation's type."""
    access = policy.family_access(by, household.pk)
    if access is None or not access.can_work_on_case:
        raise PermissionDenied("You cannot share this family's information")
    if shared and recipient_organisation is not None:
        refuse_if_excluded(by=by, household=household, organisation=recipient_organisation, user=recipient_user,
                           kind=kind)
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
        special_category_shared=special_category_shared and shared, panel=panel, pack_reference=pack_reference,
    )
    audit.record(actor=by, action=Action.EXPORT if shared else Action.CREATE,
                 event="disclosure.share" if shared else "disclosure.decline", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[disclosure], household_id=household.pk,
                 metadata={"kind": kind, "organisation_id": recipient_organisation.pk, "basis": basis, "sections": sections,
                           "register_purpose": purpose.code, "special_category_shared": disclosure.special_category_shared}
                 | ({"panel_id": panel.pk, "pack_reference": pack_reference} if panel else {}))
    return disclosure


def _sharing_refusal(by, household, organisation, purpose, basis, approved_by) -> dict:
    """Why this disclosure may not go ahead, as form errors; empty if it may."""
    kind = recipient_label(organisation.type).lower()
    if organisation.type not in dict(recipient_choices(kind=RecipientKind.PARTNER)):
        return {"recipient_organisation": f"{organisation.name} is not of a partner type the processing register "
                                          "knows: nothing can be shared with it (P21)"}
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


# --- Panel packs (P26) -------------------------------------------------------------------------------------------

def _new_pack_reference() -> str:
    while True:
        reference = f"PP-{secrets.token_hex(4).upper()}"
        if not Disclosure.objects.filter(pack_reference=reference).exists():
            return reference


def _not_covered(by, household, members, purpose, basis, approved_by) -> list:
    """The panel's members the family's consent (or the register, on public task) does not cover."""
    if purpose is None or basis not in (DisclosureBasis.CONSENT, DisclosureBasis.PUBLIC_TASK):
        return []  # a legal reason covers every member once a manager approves it: record_disclosure checks that
    return [m for m in members if _sharing_refusal(by, household, m, purpose, basis, approved_by)]


def _names(organisations) -> str:
    return "; ".join(f"{o.name} ({recipient_label(o.type).lower()})" for o in organisations)


def _panel_refusal(panel, purpose, basis, uncovered) -> str:
    if basis == DisclosureBasis.CONSENT:
        return (f"The family's consent does not cover every member of {panel.name}. Not covered: {_names(uncovered)}. "
                "Ask the family, or a manager can approve a legal reason (risk of harm, crime, fraud, the law). "
                "Nothing has been shared")
    return (f"The processing register does not list every member of {panel.name} as a recipient for "
            f"{purpose.name.lower()}. Not listed: {_names(uncovered)}. A manager can approve a legal reason if one "
            "applies. Nothing has been shared")


def record_panel_pack(*, by, household, panel: Panel | None, purpose_code: str, basis: str, sections, reason: str,
                      approved_by=None, special_category_shared: bool = False, make=None):
    """A pack for a multi-agency panel: one disclosure to each member organisation, sharing a pack reference.

    Every member must be covered, as a single disclosure to it would be: by the family's consent, by the register
    on public task, or by a legal reason a manager approves. If any is not, the pack is refused naming them, the
    refusal is audited, and nothing is written. Each member's disclosure goes through `record_disclosure`, so every
    rule on sharing with one organisation applies to each member.

    Returns (pack reference, disclosures), or what `make(reference, disclosures)` returns: it makes the pack in
    the same transaction, so a pack that cannot be made leaves no disclosures behind."""
    try:
        with transaction.atomic():
            reference, logged = _record_panel_pack(
                by=by, household=household, panel=panel, purpose_code=purpose_code, basis=basis, sections=sections,
                reason=reason, approved_by=approved_by, special_category_shared=special_category_shared)
            return make(reference, logged) if make else (reference, logged)
    except ValidationError as error:
        # Outside the rolled-back block, so the refusal stays in the trail while nothing else is written.
        audit.record(actor=by, action=Action.DENIED, event="panel_pack.refuse", purpose=Purpose.EARLY_HELP_CASEWORK,
                     objects=[panel] if panel is not None and panel.pk else (), household_id=household.pk,
                     metadata={"basis": basis, "fields": sorted(getattr(error, "error_dict", {"__all__": 0})),
                               "organisation_ids": getattr(error, "uncovered", [])})
        raise


def _record_panel_pack(*, by, household, panel, purpose_code, basis, sections, reason, approved_by,
                       special_category_shared):
    access = policy.family_access(by, household.pk)
    if access is None or not access.can_work_on_case:
        raise PermissionDenied("You cannot share this family's information")
    if panel is None or not panel.is_active:
        raise ValidationError({"panel": "Choose a panel from the list"})
    members = list(panel.members.filter(is_active=True).order_by("name"))
    if not members:
        raise ValidationError({"panel": f"{panel.name} has no member organisations: ask a team manager to add them"})
    excluded = [m for m in members if policy.exclusion_for(household, organisation=m) is not None]
    if excluded:  # the family's "must not see" (B3), named before anything else, whatever the basis
        error = ValidationError({"panel": f"The family said {_names(excluded)} must not see their information, and "
                                          f"they sit on {panel.name}. Nothing has been shared"})
        error.uncovered = [m.pk for m in excluded]
        raise error
    purpose = ProcessingPurpose.objects.filter(code=purpose_code, is_active=True).first()
    uncovered = _not_covered(by, household, members, purpose, basis, approved_by)
    if uncovered:
        error = ValidationError({"basis": _panel_refusal(panel, purpose, basis, uncovered)})
        error.uncovered = [m.pk for m in uncovered]
        raise error
    reference = _new_pack_reference()
    return reference, [
        record_disclosure(by=by, household=household, recipient_organisation=member, purpose_code=purpose_code,
                          basis=basis, sections=sections, reason=reason, approved_by=approved_by,
                          kind=DisclosureKind.PANEL_PACK, special_category_shared=special_category_shared,
                          panel=panel, pack_reference=reference)
        for member in members]


def disclosures_for(household):
    return household.disclosures.select_related("recipient_organisation", "purpose", "decided_by", "approved_by",
                                                "panel")


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
