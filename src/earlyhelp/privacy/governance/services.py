"""Keeping the DPO's registers: breaches, DPIAs and data-sharing agreements (issue 13, item 11; P15, P23).

Every change is a keyword-only function that checks the entry in plain words, saves it in one transaction with
the user (and reason) in its history, and writes its audit event inside the same transaction. The messages here
are the only home of these rules: the forms show them.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .models import (
    AgreementKind,
    AgreementStatus,
    Breach,
    DataSharingAgreement,
    Dpia,
    DpiaOutcome,
    PeopleTold,
    Reportable,
)

# The registers hold no family's personal data: recorded under the same purpose as the processing register.
AUDIT_PURPOSE = Purpose.SYSTEM_SECURITY
ONLY_THE_DPO = "Only the Data Protection Officer keeps the registers"

# --- Messages (the forms show these) ------------------------------------------------------------------------------

REQUIRED = {
    # breaches
    "title": "Enter a short name for the breach, without anyone's personal data",
    "found_at": "Enter when the breach was found",
    "found_by": "Enter who found the breach (a role or team)",
    "how_found": "Enter how the breach was found",
    "aware_at": "Enter when the council became aware of the breach",
    "description": "Describe what happened, without unnecessary personal data",
    "data_categories": "Enter at least one category of personal data involved, one per line",
    "people_affected": "Enter the approximate number of people affected",
    "records_affected": "Enter the approximate number of records affected",
}
IN_THE_FUTURE = "{label} must be now or in the past"
AWARE_BEFORE_FOUND = "The council cannot have become aware of the breach before it was found"
CONTAINED_BEFORE_FOUND = "The breach cannot have been contained before it was found"
ENTER_CONTAINMENT = "Enter how the breach was contained"
ENTER_CONTAINED_AT = "Enter when the breach was contained"
ENTER_REPORTABLE_REASONING = "Enter the reasoning for whether the breach must be reported to the ICO"
ENTER_PEOPLE_TOLD_ON = "Enter when the people affected were told"
ENTER_NOT_TOLD_REASON = ("Enter why the people affected are not being told (UK GDPR Article 34(3)), for example "
                         "the risk to them is not high")
CLOSED = "The breach is closed: it cannot be changed"
ALREADY_REPORTED = "The breach has already been reported to the ICO"
ASSESSED_NOT_REPORTABLE = ("The breach is assessed as not reportable: change the assessment before recording a "
                           "report to the ICO")
ENTER_REPORTED_AT = "Enter when the breach was reported to the ICO"
REPORTED_BEFORE_AWARE = "The ICO cannot have been told before the council became aware of the breach"
ENTER_ICO_REFERENCE = "Enter the reference the ICO gave the report"
LATE_REASON_REQUIRED = ("The ICO was told more than 72 hours after the council became aware of the breach: enter "
                        "the reasons for the delay (UK GDPR Article 33(1))")
CLOSE_NOT_CONTAINED = "Record when and how the breach was contained before closing it"
CLOSE_UNDECIDED = "Decide whether the breach must be reported to the ICO, with your reasoning, before closing it"
CLOSE_NOT_REPORTED = "Record the report to the ICO before closing the breach"
CLOSE_PEOPLE_UNDECIDED = "Record whether the people affected have been told, or why not, before closing the breach"

AGREEMENT_REQUIRED = {
    "reference": "Enter the agreement's reference",
    "title": "Enter the agreement's title",
    "kind": "Choose what kind of agreement it is",
    "parties": "Choose at least one organisation that is a party to the agreement",
    "purposes": "Choose at least one purpose from the processing register the agreement covers",
    "datasets": "Enter at least one dataset shared under the agreement, one per line",
    "lawful_basis": "Enter the lawful basis for the sharing, and the law relied on",
    "starts_on": "Enter the date the agreement starts",
    "document_reference": "Enter where the signed agreement is kept",
    "status": "Choose the agreement's status",
}
REFERENCE_TAKEN = "Another agreement already has this reference"
ENDS_BEFORE_START = "The end date must be the same as or after the start date"
TERMINATED_NEEDS_END = "Enter the date the agreement ended"

DPIA_REQUIRED = {
    "title": "Enter the DPIA's title",
    "purposes": "Choose at least one purpose from the processing register the DPIA assesses",
    "description": "Describe the processing the DPIA assesses",
    "risks": "Enter the risks to people the DPIA found",
    "mitigations": "Enter the measures that reduce the risks",
    "review_on": "Enter when the DPIA must be reviewed",
}
CHOOSE_OUTCOME = "Choose the outcome from the list"
ENTER_CONDITIONS = "Enter the conditions of the approval"
ENTER_DPO_ADVICE = "Enter the Data Protection Officer's advice: a DPIA is decided only after it (Article 35(2))"
ENTER_SIGNED_OFF_BY = "Enter the name and role of who signed off the DPIA"
ENTER_SIGNED_OFF_ON = "Enter the date the DPIA was signed off"
REVIEW_BEFORE_SIGN_OFF = "The review date must be after the date the DPIA was signed off"


def require_keeper(by) -> None:
    if not policy.has_permission(by, policy.Permission.KEEP_REGISTER):
        raise PermissionDenied(ONLY_THE_DPO)


def _blank(value) -> bool:
    return value in (None, "", [], ()) or (isinstance(value, str) and not value.strip())


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _next_reference(model, prefix: str) -> str:
    prefix = f"{prefix}-{timezone.localdate().year}-"
    last = model.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))["last"]
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def _save_new(entry, prefix: str):
    for _ in range(5):
        entry.reference = _next_reference(type(entry), prefix)
        try:
            with transaction.atomic():
                entry.save()
            return entry
        except IntegrityError:  # someone took this reference a moment ago: take the next one
            continue
    raise RuntimeError("Could not allocate a register reference")


def _audit(by, event, entry, **metadata):
    audit.record(actor=by, action=Action.CREATE if event.endswith(".record") else Action.CHANGE, event=event,
                 purpose=AUDIT_PURPOSE, objects=[entry], metadata={"reference": entry.reference, **metadata})


# --- Personal data breaches ---------------------------------------------------------------------------------------

BREACH_FIELDS = ("title", "found_at", "found_by", "how_found", "aware_at", "description", "data_categories",
                 "special_category", "people_affected", "records_affected", "consequences", "actions_taken",
                 "contained_at", "containment", "reportable", "reportable_reasoning", "people_told", "people_told_on",
                 "people_told_reasoning")
BREACH_LABELS = {"found_at": "When it was found", "aware_at": "When the council became aware",
                 "contained_at": "When it was contained", "people_told_on": "When people were told"}


def breach_problems(fields: dict, *, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    errors = {name: message for name, message in REQUIRED.items() if _blank(fields.get(name))}
    for name in ("people_affected", "records_affected"):
        value = fields.get(name)
        if name not in errors and (not isinstance(value, int) or value < 0):
            errors[name] = REQUIRED[name]
    for name in ("found_at", "aware_at", "contained_at"):
        value = fields.get(name)
        if name not in errors and value is not None and value > now:
            errors[name] = IN_THE_FUTURE.format(label=BREACH_LABELS[name])
    found, aware, contained = fields.get("found_at"), fields.get("aware_at"), fields.get("contained_at")
    if found and aware and "aware_at" not in errors and aware < found:
        errors["aware_at"] = AWARE_BEFORE_FOUND
    if found and contained and "contained_at" not in errors and contained < found:
        errors["contained_at"] = CONTAINED_BEFORE_FOUND
    if contained and _blank(fields.get("containment")):
        errors["containment"] = ENTER_CONTAINMENT
    if not contained and not _blank(fields.get("containment")):
        errors["contained_at"] = ENTER_CONTAINED_AT
    if fields.get("reportable") not in Reportable.values:
        errors["reportable"] = "Choose whether the breach must be reported to the ICO"
    elif fields.get("reportable") and _blank(fields.get("reportable_reasoning")):
        errors["reportable_reasoning"] = ENTER_REPORTABLE_REASONING
    told = fields.get("people_told")
    if told not in PeopleTold.values:
        errors["people_told"] = "Choose whether the people affected have been told"
    elif told == PeopleTold.TOLD and fields.get("people_told_on") is None:
        errors["people_told_on"] = ENTER_PEOPLE_TOLD_ON
    elif told == PeopleTold.NOT_TOLD and _blank(fields.get("people_told_reasoning")):
        errors["people_told_reasoning"] = ENTER_NOT_TOLD_REASON
    if fields.get("people_told_on") and fields["people_told_on"] > timezone.localdate():
        errors["people_told_on"] = IN_THE_FUTURE.format(label=BREACH_LABELS["people_told_on"])
    return errors


def _tidy(fields: dict, names) -> dict:
    tidy = {}
    for name in names:
        value = fields.get(name)
        tidy[name] = value.strip() if isinstance(value, str) else value
    return tidy


@transaction.atomic
def save_breach(*, by, breach: Breach | None = None, reason: str = "", **fields) -> Breach:
    """Record a breach, or change an open one; every field of `BREACH_FIELDS` is given."""
    require_keeper(by)
    unknown = set(fields) - set(BREACH_FIELDS)
    if unknown:
        raise TypeError(f"Unknown breach fields: {sorted(unknown)}")
    fields = _tidy({"reportable": "", "people_told": "", "special_category": False, "data_categories": []} | fields,
                   BREACH_FIELDS)
    for name in ("consequences", "actions_taken", "containment", "reportable_reasoning", "people_told_reasoning"):
        fields[name] = fields[name] or ""
    if breach is not None:
        breach = Breach.objects.select_for_update().get(pk=breach.pk)
        if breach.closed_at is not None:
            raise ValidationError(CLOSED)
        if breach.ico_reported_at is not None and fields["reportable"] == Reportable.NO:
            raise ValidationError({"reportable": "The breach has been reported to the ICO: it stays reportable"})
    _raise(breach_problems(fields))
    is_new = breach is None
    entry = breach or Breach(recorded_by=by)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry._history_user = by
    entry._change_reason = reason.strip()[:100] or ("Recorded" if is_new else "")
    if is_new:
        _save_new(entry, "BR")
    else:
        entry.save()
    _audit(by, "breach.record" if is_new else "breach.change", entry, reportable=entry.reportable or "undecided")
    return entry


@transaction.atomic
def report_breach_to_ico(*, by, breach: Breach, reported_at: datetime.datetime | None, ico_reference: str,
                         late_reason: str = "") -> Breach:
    """Record the report to the ICO. More than 72 hours after awareness needs the reasons for the delay."""
    require_keeper(by)
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.closed_at is not None:
        raise ValidationError(CLOSED)
    if breach.ico_reported_at is not None:
        raise ValidationError(ALREADY_REPORTED)
    if breach.reportable == Reportable.NO:
        raise ValidationError(ASSESSED_NOT_REPORTABLE)
    ico_reference, late_reason = (ico_reference or "").strip(), (late_reason or "").strip()
    errors = {}
    if reported_at is None:
        errors["reported_at"] = ENTER_REPORTED_AT
    elif reported_at > timezone.now():
        errors["reported_at"] = IN_THE_FUTURE.format(label="When the ICO was told")
    elif reported_at < breach.aware_at:
        errors["reported_at"] = REPORTED_BEFORE_AWARE
    elif reported_at > breach.ico_due_at and not late_reason:
        errors["late_reason"] = LATE_REASON_REQUIRED
    if not ico_reference:
        errors["ico_reference"] = ENTER_ICO_REFERENCE
    _raise(errors)
    breach.ico_reported_at, breach.ico_reference = reported_at, ico_reference
    breach.late_reason = late_reason if reported_at > breach.ico_due_at else ""
    breach.reportable = Reportable.YES
    breach._history_user, breach._change_reason = by, "Reported to the ICO"
    breach.save()
    _audit(by, "breach.report_to_ico", breach, late=breach.reported_late)
    return breach


@transaction.atomic
def close_breach(*, by, breach: Breach) -> Breach:
    require_keeper(by)
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.closed_at is not None:
        raise ValidationError(CLOSED)
    problems = []
    if breach.contained_at is None:
        problems.append(CLOSE_NOT_CONTAINED)
    if not breach.reportable:
        problems.append(CLOSE_UNDECIDED)
    elif breach.reportable == Reportable.YES and breach.ico_reported_at is None:
        problems.append(CLOSE_NOT_REPORTED)
    if not breach.people_told:
        problems.append(CLOSE_PEOPLE_UNDECIDED)
    if problems:
        raise ValidationError(problems)
    breach.closed_at, breach.closed_by = timezone.now(), by
    breach._history_user, breach._change_reason = by, "Closed"
    breach.save()
    _audit(by, "breach.close", breach)
    return breach


# --- Data-sharing agreements --------------------------------------------------------------------------------------

AGREEMENT_FIELDS = ("reference", "title", "kind", "parties", "purposes", "datasets", "lawful_basis", "starts_on",
                    "ends_on", "document_reference", "status")


def agreement_problems(fields: dict, *, agreement: DataSharingAgreement | None = None) -> dict:
    errors = {name: message for name, message in AGREEMENT_REQUIRED.items() if _blank(fields.get(name))}
    if "kind" not in errors and fields["kind"] not in AgreementKind.values:
        errors["kind"] = AGREEMENT_REQUIRED["kind"]
    if "status" not in errors and fields["status"] not in AgreementStatus.values:
        errors["status"] = AGREEMENT_REQUIRED["status"]
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = ENDS_BEFORE_START
    if fields.get("status") == AgreementStatus.TERMINATED and not ends:
        errors["ends_on"] = TERMINATED_NEEDS_END
    if "reference" not in errors:
        taken = DataSharingAgreement.objects.filter(reference__iexact=fields["reference"])
        if agreement is not None:
            taken = taken.exclude(pk=agreement.pk)
        if taken.exists():
            errors["reference"] = REFERENCE_TAKEN
    return errors


@transaction.atomic
def save_agreement(*, by, agreement: DataSharingAgreement | None = None, reason: str = "",
                   **fields) -> DataSharingAgreement:
    """Record an agreement, or change one (ending it early is a change of status with its end date)."""
    require_keeper(by)
    fields = _tidy(fields, AGREEMENT_FIELDS)
    fields["parties"], fields["purposes"] = list(fields["parties"] or []), list(fields["purposes"] or [])
    fields["datasets"] = [d.strip() for d in fields["datasets"] or [] if d and d.strip()]
    _raise(agreement_problems(fields, agreement=agreement))
    is_new = agreement is None
    entry = DataSharingAgreement(recorded_by=by) if is_new else \
        DataSharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    for name in AGREEMENT_FIELDS:
        if name not in ("parties", "purposes"):
            setattr(entry, name, fields[name])
    entry._history_user = by
    entry._change_reason = reason.strip()[:100] or ("Recorded" if is_new else "")
    entry.save()
    entry.parties.set(fields["parties"])
    entry.purposes.set(fields["purposes"])
    audit.record(actor=by, action=Action.CREATE if is_new else Action.CHANGE,
                 event="sharing_agreement.record" if is_new else "sharing_agreement.change", purpose=AUDIT_PURPOSE,
                 objects=[entry], metadata={"reference": entry.reference, "status": entry.status,
                                            "parties": sorted(p.pk for p in fields["parties"]),
                                            "purposes": sorted(p.pk for p in fields["purposes"])})
    return entry


# --- Data protection impact assessments ---------------------------------------------------------------------------

DPIA_FIELDS = ("title", "purposes", "description", "risks", "mitigations", "outcome", "conditions", "dpo_advice",
               "signed_off_by", "signed_off_on", "review_on")


def dpia_problems(fields: dict) -> dict:
    errors = {name: message for name, message in DPIA_REQUIRED.items() if _blank(fields.get(name))}
    outcome = fields.get("outcome") or ""
    if outcome not in DpiaOutcome.values:
        errors["outcome"] = CHOOSE_OUTCOME
    elif outcome:
        if outcome == DpiaOutcome.APPROVED_WITH_CONDITIONS and _blank(fields.get("conditions")):
            errors["conditions"] = ENTER_CONDITIONS
        if _blank(fields.get("dpo_advice")):
            errors["dpo_advice"] = ENTER_DPO_ADVICE
        if _blank(fields.get("signed_off_by")):
            errors["signed_off_by"] = ENTER_SIGNED_OFF_BY
        if fields.get("signed_off_on") is None:
            errors["signed_off_on"] = ENTER_SIGNED_OFF_ON
    signed, review = fields.get("signed_off_on"), fields.get("review_on")
    if signed and signed > timezone.localdate():
        errors["signed_off_on"] = IN_THE_FUTURE.format(label="The sign-off date")
    if signed and review and review <= signed and "review_on" not in errors:
        errors["review_on"] = REVIEW_BEFORE_SIGN_OFF
    return errors


@transaction.atomic
def save_dpia(*, by, dpia: Dpia | None = None, reason: str = "", **fields) -> Dpia:
    require_keeper(by)
    fields = _tidy({"outcome": "", "conditions": "", "dpo_advice": "", "signed_off_by": ""} | fields, DPIA_FIELDS)
    fields["purposes"] = list(fields["purposes"] or [])
    for name in ("outcome", "conditions", "dpo_advice", "signed_off_by"):
        fields[name] = fields[name] or ""
    _raise(dpia_problems(fields))
    is_new = dpia is None
    entry = Dpia(recorded_by=by) if is_new else Dpia.objects.select_for_update().get(pk=dpia.pk)
    for name in DPIA_FIELDS:
        if name != "purposes":
            setattr(entry, name, fields[name])
    entry._history_user = by
    entry._change_reason = reason.strip()[:100] or ("Recorded" if is_new else "")
    if is_new:
        _save_new(entry, "DPIA")
    else:
        entry.save()
    entry.purposes.set(fields["purposes"])
    _audit(by, "dpia.record" if is_new else "dpia.change", entry, outcome=entry.outcome or "in_progress",
           purposes=sorted(p.pk for p in fields["purposes"]))
    return entry


# --- Reading --------------------------------------------------------------------------------------------------------

def history(entry, labels: dict) -> list[dict]:
    """Every saved version of a register entry, newest first: when, who, why and which fields changed."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        changed = []
        if previous is not None:
            delta = record.diff_against(previous)
            changed = sorted(labels.get(c.field, c.field.replace("_", " ").capitalize()) for c in delta.changes)
        user = record.history_user
        entry = {"when": record.history_date,
                 "who": (user.get_full_name() or user.get_username()) if user else "The system",
                 "kind": {"+": "Added", "~": "Changed", "-": "Deleted"}.get(record.history_type, ""),
                 "reason": record.history_change_reason or "", "changed": changed}
        last = entries[-1] if entries else None
        if (last and last["who"] == entry["who"] and last["reason"] == entry["reason"]
                and entry["when"] - last["when"] < datetime.timedelta(seconds=5)):
            # One change saves the row, then its parties or purposes: one entry in the history.
            last["changed"] = sorted(set(last["changed"]) | set(changed))
        else:
            entries.append(entry)
        previous = record
    return entries[::-1]
