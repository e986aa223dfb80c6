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
from earlyhelp.access import services as access_services
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.audit.refused import Refused
from earlyhelp.organisations.models import OrganisationType
from earlyhelp.people.models import Relationship

from .. import messages
from ..messages import CHOOSE_CONSENT_EVIDENCE
from ..models import (
    Consent,
    ConsentRules,
    ConsentStatus,
    EvidenceType,
    PrivacyNotice,
    RecipientKind,
    recipient_choices,
)

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
                   evidence_reference: str = "", witness_name: str = "", given_on=None, replaces=None,
                   excluded_practitioners=(), excluded_organisation_types=()) -> Consent:
    """Record the family's consent. `excluded_practitioners` (users) and `excluded_organisation_types` are who
    the family says must not see their information (B3): the access policy enforces them from now on, and
    sharing refuses them. `must_not_see` keeps the family's own words; nothing relies on it."""
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
    errors.update(access_services.exclusion_problems(by=by, household=household, users=excluded_practitioners,
                                                     organisation_types=excluded_organisation_types))
    if set(sharing_partner_types) & set(excluded_organisation_types) and "sharing_partner_types" not in errors:
        errors["sharing_partner_types"] = ("An organisation type cannot be both one we may share with and one that "
                                           "must not see the family's information")
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
    if replaces is not None:
        access_services.end_exclusions_of_consent(by=by, consent=replaces)
    if excluded_practitioners or excluded_organisation_types:
        access_services.exclude_at_familys_request(
            by=by, household=household, consent=consent, users=excluded_practitioners,
            organisation_types=excluded_organisation_types,
            reason=must_not_see.strip() or "The family asked, when giving consent, that they must not see it")
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


# --- Consent to support as the council's rule (P6) ---------------------------------------------------------------

def support_consent_gap(household, *, consents=None) -> str | None:
    """What is missing before support (an assessment, a family plan) may start for this family under the
    council's rule, in words for the practitioner; None when nothing is. With the rule off (the public task)
    nothing is ever missing. `consents`: every consent of the family, where the caller has already read them."""
    rules = ConsentRules.current()
    if not rules.support_needs_consent:
        return None
    if consents is None:
        consents = Consent.objects.filter(household=household)
    given = [c for c in consents if c.covers_support]
    active = [c for c in given if c.status == ConsentStatus.ACTIVE]
    if any(c.evidence_type in rules.accepted_evidence for c in active):
        return None
    if active:
        return messages.SUPPORT_NEEDS_SIGNED_CONSENT
    if any(c.status != ConsentStatus.ACTIVE for c in given):
        return messages.SUPPORT_CONSENT_WITHDRAWN
    return messages.SUPPORT_NEEDS_CONSENT


def require_consent_to_support(*, by, household, starting: str):
    """Refuse to start support (`starting`: "assessment" or "plan") without the consent the council's rule needs.
    Raises `Refused`, which the caller's `audit_refusals` records once its transaction has rolled back."""
    gap = support_consent_gap(household)
    if gap is not None:
        raise Refused(gap, actor=by, event="consent.support_refused", purpose=Purpose.EARLY_HELP_CASEWORK,
                      household_id=household.pk, metadata={"starting": starting})


def support_consent_rule_is(*, support_needs_consent: bool, verbal_consent_enough: bool, **_) -> bool:
    """Whether the council's rule already says this (the demo loader sets it once)."""
    rules = ConsentRules.current()
    return (rules.support_needs_consent, rules.verbal_consent_enough) == (support_needs_consent,
                                                                          verbal_consent_enough)


def _rules_row(rules) -> dict:
    return {"support_needs_consent": rules.support_needs_consent, "verbal_consent_enough": rules.verbal_consent_enough}


@transaction.atomic
def change_consent_rules(*, by, support_needs_consent: bool, verbal_consent_enough: bool, reason: str) -> ConsentRules:
    """The DPO changes the council's rule, with a reason kept in its history."""
    if not policy.has_permission(by, policy.Permission.KEEP_REGISTER):
        raise PermissionDenied("Only the data protection officer changes the consent rules")
    if not reason.strip():
        raise ValidationError({"reason": messages.ENTER_CONSENT_RULES_REASON})
    if len(reason.strip()) > 300:
        raise ValidationError({"reason": "The reason must be 300 characters or fewer"})
    ConsentRules.current()
    rules = ConsentRules.objects.select_for_update().order_by("pk").first()
    before = _rules_row(rules)
    rules.support_needs_consent, rules.verbal_consent_enough = bool(support_needs_consent), bool(verbal_consent_enough)
    if _rules_row(rules) == before:
        raise ValidationError("Nothing has changed: the rule is already as you chose")
    rules.changed_by, rules.changed_at, rules.change_reason = by, timezone.now(), " ".join(reason.split())
    rules._history_user, rules._change_reason = by, rules.change_reason[:100]
    rules.save()
    audit.record(actor=by, action=Action.CHANGE, event="consent_rules.change", purpose=Purpose.SYSTEM_SECURITY,
                 objects=[rules], metadata={"before": before, "after": _rules_row(rules)})
    return rules


def consent_rules_history() -> list[dict]:
    """Every version of the rule, newest first: when, who, why, and what it said."""
    entries = []
    for record in ConsentRules.history.select_related("history_user").order_by("-history_date", "-history_id"):
        user = record.history_user
        entries.append({"when": record.history_date, "who": str(user) if user else "The system (installation)",
                        "reason": record.change_reason or "As installed",
                        "support_needs_consent": record.support_needs_consent,
                        "verbal_consent_enough": record.verbal_consent_enough})
    return entries
