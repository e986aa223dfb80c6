"""The data team keeps the outcomes framework and the programme rules: every change here, with history.

Labels, descriptors, dataset rules and the programme rules are models with django-simple-history, so each
change keeps what was there before, who made it and when. A change to a rule (the programme rules, a dataset
rule, which framework version is current, a descriptor taken out of use) also needs a reason, kept as the
history row's change reason (the audit event names the record, not the text).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.matching.models import DatasetType
from earlyhelp.programme.models import (
    DatasetNeedRule,
    Descriptor,
    EligibilityCounting,
    FrameworkVersion,
    HeadlineArea,
    HeadlineLabel,
    ProgrammeRules,
)

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS

ENTER_REASON = "Enter why you are making this change"
ENTER_LABEL = "Enter the label"
LABEL_TOO_LONG = "The label must be {limit} characters or fewer"
ENTER_DESCRIPTOR_LABEL = "Enter the need, as practitioners and families read it"
ENTER_PROGRESS_EVIDENCE = "Enter what shows significant and sustained progress"
ENTER_DESCRIPTOR_CODE = "Enter a code for the descriptor, using letters, numbers and hyphens"
DUPLICATE_DESCRIPTOR_CODE = "This framework version already has a descriptor with the code {code}"
CHOOSE_AREA = "Choose the headline outcome the descriptor belongs under"
DESCRIPTOR_ALREADY_INACTIVE = "This descriptor is already out of use"
ALREADY_CURRENT = "This framework version is already the current one"
NO_CURRENT_VERSION = ("No framework version is current: choose one, or new needs cannot be recorded")
VERSION_HAS_NO_DESCRIPTORS = "This framework version has no descriptors in use, so it cannot be made current"
CHOOSE_DATASET = "Choose the partner dataset"
CHOOSE_DESCRIPTOR = "Choose the descriptor the dataset suggests"
CHOOSE_COMPARISON = "Choose how the fact is compared"
ENTER_FACT = "Enter the fact to compare, as the dataset names it"
ENTER_VALUE = "Enter the value to compare the fact with"
NOT_A_CHANGE = "Nothing has changed"


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ENTER_REASON})
    return reason


def _audit(by, event, obj, **metadata):
    audit.record(actor=by, action=Action.CHANGE, event=event, purpose=PURPOSE, objects=[obj], metadata=metadata)


def _save(obj, by, reason: str = ""):
    obj._history_user = by
    obj._change_reason = reason[:100] if reason else None  # simple-history's change_reason column is 100 chars
    obj.save()


def _text(value: str, *, field: str, missing: str, limit: int | None = None, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif limit and len(value) > limit:
        errors[field] = LABEL_TOO_LONG.format(limit=limit)
    return value


# --- Framework versions ------------------------------------------------------------------------------------

@transaction.atomic
def make_current(*, by, version_id: int, reason: str) -> FrameworkVersion:
    """New needs use this version's descriptors from now on; needs recorded under another keep theirs. The
    headlines' current labels follow the version."""
    version = FrameworkVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise ValidationError(NO_CURRENT_VERSION)
    reason = _reason(reason)
    if version.is_current:
        raise ValidationError(ALREADY_CURRENT)
    if not version.descriptors.filter(is_active=True).exists():
        raise ValidationError(VERSION_HAS_NO_DESCRIPTORS)
    for previous in FrameworkVersion.objects.select_for_update().filter(is_current=True):
        previous.is_current = False
        _save(previous, by, reason)
    version.is_current = True
    _save(version, by, reason)
    for label in version.labels.select_related("area"):
        if label.area.label != label.label:
            label.area.label = label.label
            _save(label.area, by, reason)
    _audit(by, "framework_version.make_current", version)
    return version


def require_current_version() -> FrameworkVersion:
    version = FrameworkVersion.objects.filter(is_current=True).first()
    if version is None:
        raise ValidationError(NO_CURRENT_VERSION)
    return version


# --- Labels and descriptors --------------------------------------------------------------------------------

@transaction.atomic
def edit_label(*, by, label_id: int, label: str) -> HeadlineLabel:
    found = HeadlineLabel.objects.select_for_update().select_related("area", "version").get(pk=label_id)
    errors = {}
    label = _text(label, field="label", missing=ENTER_LABEL, limit=120, errors=errors)
    if errors:
        raise ValidationError(errors)
    if label == found.label:
        raise ValidationError({"label": NOT_A_CHANGE})
    found.label = label
    _save(found, by)
    if found.version.is_current:
        found.area.label = label
        _save(found.area, by)
    _audit(by, "headline_label.change", found, area=found.area.code)
    return found


def _descriptor_fields(label, progress_evidence, errors) -> tuple[str, str]:
    label = _text(label, field="label", missing=ENTER_DESCRIPTOR_LABEL, limit=200, errors=errors)
    evidence = _text(progress_evidence, field="progress_evidence", missing=ENTER_PROGRESS_EVIDENCE, errors=errors)
    return label, evidence


@transaction.atomic
def edit_descriptor(*, by, descriptor_id: int, label: str, progress_evidence: str) -> Descriptor:
    descriptor = Descriptor.objects.select_for_update().get(pk=descriptor_id)
    errors = {}
    label, evidence = _descriptor_fields(label, progress_evidence, errors)
    if errors:
        raise ValidationError(errors)
    if (label, evidence) == (descriptor.label, descriptor.progress_evidence):
        raise ValidationError(NOT_A_CHANGE)
    descriptor.label, descriptor.progress_evidence = label, evidence
    _save(descriptor, by)
    _audit(by, "descriptor.change", descriptor, code=descriptor.code)
    return descriptor


@transaction.atomic
def add_local_descriptor(*, by, version_id: int, area_id, code: str, label: str,
                         progress_evidence: str) -> Descriptor:
    """The council's own descriptor under a headline outcome, in one framework version."""
    version = FrameworkVersion.objects.get(pk=version_id)
    errors = {}
    area = HeadlineArea.objects.filter(pk=area_id).first() if area_id else None
    if area is None:
        errors["area"] = CHOOSE_AREA
    code = slugify((code or "").strip())[:60]
    if not code:
        errors["code"] = ENTER_DESCRIPTOR_CODE
    elif version.descriptors.filter(code=code).exists():
        errors["code"] = DUPLICATE_DESCRIPTOR_CODE.format(code=code)
    label, evidence = _descriptor_fields(label, progress_evidence, errors)
    if errors:
        raise ValidationError(errors)
    last = version.descriptors.filter(area=area).order_by("-order").values_list("order", flat=True).first() or 0
    try:
        with transaction.atomic():
            descriptor = Descriptor(version=version, area=area, code=code, label=label, progress_evidence=evidence,
                                    is_local=True, order=last + 1)
            _save(descriptor, by)
    except IntegrityError:  # another person added the same code a moment ago
        raise ValidationError({"code": DUPLICATE_DESCRIPTOR_CODE.format(code=code)}) from None
    audit.record(actor=by, action=Action.CREATE, event="descriptor.add_local", purpose=PURPOSE, objects=[descriptor],
                 metadata={"code": code, "version": version.code})
    return descriptor


@transaction.atomic
def deactivate_descriptor(*, by, descriptor_id: int, reason: str) -> Descriptor:
    """No new needs under it; needs already recorded keep it."""
    descriptor = Descriptor.objects.select_for_update().get(pk=descriptor_id)
    reason = _reason(reason)
    if not descriptor.is_active:
        raise ValidationError(DESCRIPTOR_ALREADY_INACTIVE)
    descriptor.is_active = False
    _save(descriptor, by, reason)
    _audit(by, "descriptor.deactivate", descriptor, code=descriptor.code)
    return descriptor


# --- Dataset rules -----------------------------------------------------------------------------------------

@transaction.atomic
def save_dataset_rule(*, by, rule_id: int | None = None, dataset_type: str, descriptor_id, comparison: str,
                      fact: str = "", value: str = "", is_active: bool = True, reason: str) -> DatasetNeedRule:
    """Add a dataset → need rule (rule_id None) or change one."""
    errors = {}
    rule = DatasetNeedRule.objects.select_for_update().get(pk=rule_id) if rule_id else DatasetNeedRule()
    if dataset_type not in DatasetType.values:
        errors["dataset_type"] = CHOOSE_DATASET
    descriptor = Descriptor.objects.filter(pk=descriptor_id, is_active=True).first() if descriptor_id else None
    if descriptor is None and not (rule_id and str(rule.descriptor_id) == str(descriptor_id)):
        errors["descriptor"] = CHOOSE_DESCRIPTOR
    if comparison not in DatasetNeedRule.Comparison.values:
        errors["comparison"] = CHOOSE_COMPARISON
    fact, value = (fact or "").strip(), (value or "").strip()
    if comparison and comparison != DatasetNeedRule.Comparison.ANY:
        if not fact:
            errors["fact"] = ENTER_FACT
        if not value:
            errors["value"] = ENTER_VALUE
    else:
        fact, value = "", ""
    if not (reason or "").strip():
        errors["reason"] = ENTER_REASON
    if errors:
        raise ValidationError(errors)
    rule.dataset_type, rule.comparison, rule.fact, rule.value = dataset_type, comparison, fact, value
    rule.descriptor_id, rule.is_active = int(descriptor_id), is_active
    created = rule.pk is None
    _save(rule, by, reason.strip())
    audit.record(actor=by, action=Action.CREATE if created else Action.CHANGE,
                 event="dataset_rule.add" if created else "dataset_rule.change", purpose=PURPOSE, objects=[rule],
                 metadata={"dataset_type": dataset_type, "active": is_active})
    return rule


# --- Programme rules ---------------------------------------------------------------------------------------

RULE_FIELDS = ("minimum_needs", "counting", "requires_dependent_child_or_expectant_parent", "dependent_child_under",
               "positive_score", "sustainment_months", "sustainment_reminder_days")


@transaction.atomic
def update_programme_rules(*, by, reason: str, **values) -> ProgrammeRules:
    """Change the council's programme rules (the model's validators give the limits)."""
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown programme rules: {sorted(unknown)}")
    rules = ProgrammeRules.current()
    rules = ProgrammeRules.objects.select_for_update().get(pk=rules.pk)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ENTER_REASON
    if "counting" in values and values["counting"] not in EligibilityCounting.values:
        errors["counting"] = "Choose whether needs are counted by headline outcome or by descriptor"
    changed = {name: value for name, value in values.items() if getattr(rules, name) != value}
    for name, value in changed.items():
        setattr(rules, name, value)
    try:
        rules.full_clean()
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if not changed and not errors:
        errors["__all__"] = NOT_A_CHANGE
    if errors:
        raise ValidationError(errors)
    _save(rules, by, reason.strip())
    _audit(by, "programme_rules.change", rules, changed=sorted(changed))
    return rules


def history_of(obj, limit: int = 50) -> list:
    """The obj's history, newest first, each with who changed it, when, what changed and why."""
    rows = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    changes = []
    for newer, older in zip(rows, rows[1:] + [None]):
        if len(changes) == limit:
            break
        fields = []
        if older is not None:
            delta = newer.diff_against(older)
            fields = [(change.field, change.old, change.new) for change in delta.changes]
        changes.append({"when": newer.history_date, "who": newer.history_user, "kind": newer.get_history_type_display(),
                        "reason": newer.history_change_reason or "", "fields": fields})
    return changes
