"""Consent: recorded with evidence, immutable once given, withdrawable at any time (P3, P6, P9).

Withdrawing stops consent-based sharing at once (`sharing_permitted` no longer counts it); the
rest of the withdrawal is due within 14 days and shows on the withdrawals dashboard until done.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.organisations.models import OrganisationType
from earlyhelp.people.models import Relationship

from ..messages import CHOOSE_CONSENT_EVIDENCE
from ..models import Consent, ConsentStatus, EvidenceType, PrivacyNotice, RecipientKind, recipient_choices

WITHDRAWAL_DAYS = 14
WITHDRAWAL_CHANNELS = {"writing": "In writing", "lead_practitioner": "Through the lead practitioner",
                       "dpo": "Through the data protection officer", "phone": "By telephone",
                       "face_to_face": "Face to face", "correction": "Corrected by a new consent"}


def consent_partner_choices() -> list[tuple[str, str]]:
    """The partner types a family may agree we share with: the register's partner recipient types (P21), kept as
    data by the DPO, apart from the council itself."""
    return [(code, name) for code, name in recipient_choices(kind=RecipientKind.PARTNER)
            if code != OrganisationType.LOCAL_AUTHORITY]


def _require_casework(by, household_id):
    access = policy.family_access(by, household_id)
    if access is None or not access.can_work_on_case:
        raise PermissionDenied("You cannot record consent for this family")


def _current_member(household, person) -> bool:
    return household.memberships.filter(person=person, end_date__isnull=True).exists()


@transaction.atomic
def record_consent(*, by, household, subject, given_by, covers_support: bool, evidence_type: str,
                   sharing_partner_types=(), must_not_see: str = "", national_evaluation_opt_out: bool = False,
                   evidence_reference: str = "", witness_name: str = "", given_on=None, replaces=None) -> Consent:
    _require_casework(by, household.pk)
    given_on = given_on or timezone.localdate()
    errors = {}
    if subject is None or not _current_member(household, subject):
        errors["subject"] = "Choose the person the consent is about from the family"
    if given_by is None or not _current_member(household, given_by):
        errors["given_by"] = "Choose who gave consent from the family"
    elif subject is not None and given_by.pk != subject.pk and not Relationship.objects.filter(
            person=given_by, related_person=subject, has_parental_responsibility=True).exists():
        errors["given_by"] = ("Someone giving consent for another person must have parental responsibility "
                              "for them: record the relationship first")
    if evidence_type not in EvidenceType.values:
        errors["evidence_type"] = CHOOSE_CONSENT_EVIDENCE
    elif evidence_type == EvidenceType.SIGNED_FORM and not evidence_reference.strip():
        errors["evidence_reference"] = "Enter where the signed consent form is kept"
    elif evidence_type == EvidenceType.VERBAL_WITNESSED and not witness_name.strip():
        errors["witness_name"] = "Enter who witnessed the verbal consent"
    unknown = set(sharing_partner_types) - set(dict(consent_partner_choices()))
    if unknown:
        errors["sharing_partner_types"] = "Choose organisation types from the list"
    if given_on > timezone.localdate():
        errors["given_on"] = "The date consent was given must be today or in the past"
    notice = PrivacyNotice.objects.order_by("-version").first()
    if notice is None:
        errors["__all__"] = "No privacy notice has been published: the family must be given one first"
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        household=household, subject=subject, given_by=given_by, covers_support=covers_support,
        sharing_partner_types=sorted(set(sharing_partner_types)), must_not_see=must_not_see.strip(),
        national_evaluation_opt_out=national_evaluation_opt_out, evidence_type=evidence_type,
        evidence_reference=evidence_reference.strip(), witness_name=witness_name.strip(), notice=notice,
        given_on=given_on, recorded_by=by, replaces=replaces,
    )
    audit.record(actor=by, action=Action.CREATE, event="consent.record", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[consent], household_id=household.pk,
                 metadata={"notice_version": notice.version, "partner_types": consent.sharing_partner_types})
    return consent


@transaction.atomic
def request_withdrawal(*, by, consent_id, channel: str, requested_on=None) -> Consent:
    """The family withdraws consent. From now on nothing is shared on the strength of it."""
    consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise ValidationError("There is no such consent to withdraw")
    if not policy.may_take_withdrawal(by, consent.household_id):
        raise PermissionDenied("Only the family's practitioners or the DPO can record a withdrawal")
    requested_on = requested_on or timezone.localdate()
    errors = {}
    if consent.status != ConsentStatus.ACTIVE:
        errors["__all__"] = "This consent has already been withdrawn"
    if channel not in WITHDRAWAL_CHANNELS:
        errors["channel"] = "Choose how the family asked to withdraw consent"
    if requested_on > timezone.localdate():
        errors["requested_on"] = "The date of the request must be today or in the past"
    if errors:
        raise ValidationError(errors)
    consent.status = ConsentStatus.WITHDRAWAL_REQUESTED
    consent.withdrawal_requested_on, consent.withdrawal_channel = requested_on, channel
    consent.withdrawal_due_on = requested_on + datetime.timedelta(days=WITHDRAWAL_DAYS)
    consent.withdrawal_recorded_by = by
    consent.save()
    audit.record(actor=by, action=Action.CHANGE, event="consent.withdraw", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[consent], household_id=consent.household_id, metadata={"channel": channel})
    _end_sharing_no_longer_consented(by, consent.household)
    return consent


# What ends when a family's consent no longer covers sharing with an organisation type. Apps whose access rests
# on consent register a function(*, by, household) from their AppConfig.ready() (casework ends Team Around the
# Family memberships), so this module, below them, imports none of them. It runs inside the withdrawal's
# transaction.
_SHARING_WITHDRAWN_HANDLERS = []


def when_sharing_withdrawn(handler):
    if handler not in _SHARING_WITHDRAWN_HANDLERS:
        _SHARING_WITHDRAWN_HANDLERS.append(handler)
    return handler


def _end_sharing_no_longer_consented(by, household):
    for handler in _SHARING_WITHDRAWN_HANDLERS:
        handler(by=by, household=household)


@transaction.atomic
def complete_withdrawal(*, by, consent_id) -> Consent:
    """Partners told and the family's wishes confirmed: the withdrawal is processed."""
    consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None or consent.status != ConsentStatus.WITHDRAWAL_REQUESTED:
        raise ValidationError("There is no withdrawal waiting to be processed for this consent")
    if not policy.may_take_withdrawal(by, consent.household_id):
        raise PermissionDenied("Only the family's practitioners or the DPO can process a withdrawal")
    consent.status, consent.withdrawal_completed_at, consent.withdrawal_completed_by = (
        ConsentStatus.WITHDRAWN, timezone.now(), by)
    consent.save()
    audit.record(actor=by, action=Action.CHANGE, event="consent.withdrawal_complete",
                 purpose=Purpose.EARLY_HELP_CASEWORK, objects=[consent], household_id=consent.household_id)
    return consent


@transaction.atomic
def correct_consent(*, by, consent_id, **new) -> Consent:
    """Given consent never changes: a correction records the corrected one, then withdraws the old one. In that
    order, partners the corrected consent still covers stay on the Team Around the Family."""
    old = Consent.objects.filter(pk=consent_id).first()
    if old is None:
        raise ValidationError("There is no such consent to correct")
    corrected = record_consent(by=by, household=old.household, replaces=old, **new)
    request_withdrawal(by=by, consent_id=old.pk, channel="correction")
    complete_withdrawal(by=by, consent_id=old.pk)
    return corrected


def sharing_permitted(household, organisation_type: str) -> bool:
    """Whether an active consent lets us share this family's information with this organisation type."""
    # JSON "contains" is not portable to SQLite (pitfalls.md); a family has only a few consents.
    active = Consent.objects.filter(household=household, status=ConsentStatus.ACTIVE)
    return any(organisation_type in consent.sharing_partner_types for consent in active)


def pending_withdrawals(user):
    """Withdrawals still to process, soonest due first: all for the DPO, their team's for a manager."""
    pending = Consent.objects.filter(status=ConsentStatus.WITHDRAWAL_REQUESTED).select_related("household")
    if policy.has_permission(user, policy.Permission.PROCESS_ALL_WITHDRAWALS):
        return pending.order_by("withdrawal_due_on")
    if user.team_id and policy.has_permission(user, policy.Permission.PROCESS_TEAM_WITHDRAWALS):
        return pending.filter(Q(household__episodes__is_current=True, household__episodes__team_id=user.team_id)) \
            .order_by("withdrawal_due_on")
    return Consent.objects.none()
