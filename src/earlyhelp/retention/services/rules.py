"""Keeping the retention rules: add and change them, with specific errors and nothing half-saved."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from earlyhelp.records import record_classes

from ..models import (
    FAMILY_CLASSES,
    MAX_PERIOD_YEARS,
    TRIGGERS_FOR_CLASS,
    RecordClass,
    RetentionRule,
    RuleAction,
    Trigger,
)

AUDIT_PURPOSE = Purpose.EARLY_HELP_CASEWORK
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,11}\+([0-9]{1,3})$")
EDITABLE = ("record_class", "trigger", "period_years", "action", "source", "is_active")

# What starts each period, as the rule reads in words ("6 years after the case closes"): the register and the
# privacy notice show rules this way (`privacy.retention_wording`).
AFTER_TRIGGER = {
    Trigger.EPISODE_CLOSURE: "after the case closes",
    Trigger.LAST_ACTIVITY: "after the family's last contact with the service",
    Trigger.ENTRY_WRITTEN: "after each entry is written",
    Trigger.REQUEST_CLOSED: "after the request is closed",
    Trigger.FILE_SENT: "after the file is sent",
    Trigger.FILE_RECEIVED: "after the partner sends the file",
    Trigger.RETURN_SENT: "after the return is sent",
}


def _years(period: int) -> str:
    return f"{period} year{'' if period == 1 else 's'}"


def rule_in_words(*, trigger: str, period_years: int) -> str:
    if trigger == Trigger.DATE_OF_BIRTH:
        return f"until the youngest child is {period_years}"
    return f"{_years(period_years)} {AFTER_TRIGGER[trigger]}"


def codes_in_words(codes) -> dict[str, str]:
    """Each code's words: from its rule, or for a well-formed code with no rule yet, its period."""
    codes = list(codes)
    words = {rule.code: rule_in_words(trigger=rule.trigger, period_years=rule.period_years)
             for rule in RetentionRule.objects.filter(code__in=codes)}
    for code in codes:
        if code not in words and (match := CODE_PATTERN.match(code)):
            words[code] = _years(int(match.group(1)))
    return words


MESSAGES = {
    "code_required": "Enter a code for the rule, for example CASE+6",
    "code_format": "Code must be capital letters, a plus sign and the number of years, for example CASE+6 or DOB+25",
    "code_period": "The number after the plus sign in the code must be the period: {period}",
    "code_taken": "There is already a rule with the code {code}",
    "code_fixed": "The code cannot be changed once a rule exists",
    "record_class": "Choose which records the rule is for",
    "trigger": "Choose what starts the retention period: closure of the last episode, the youngest child's date of "
               "birth or the family's last activity",
    "trigger_for_class": "Contacts that did not lead to an episode have no episode to close: choose the youngest "
                         "child's date of birth or the family's last activity",
    "trigger_for_rows": "For {record_class} the retention period starts on {trigger}: choose that",
    "review_only": "{record_class} are only ever reviewed at the end of their period: choose review",
    "period_required": "Enter the retention period in years",
    "period_whole": "Enter the retention period as a whole number of years, for example 6",
    "period_min": "The retention period must be at least 1 year",
    "period_max": f"The retention period must be {MAX_PERIOD_YEARS} years or fewer",
    "action": "Choose what happens when the period ends: review, destroy or anonymise",
    "source": "Enter where the rule comes from, for example the council's retention schedule",
    "reason": "Enter the reason for the change",
}


def _period(value, errors) -> int | None:
    if value in (None, ""):
        errors["period_years"] = MESSAGES["period_required"]
        return None
    if isinstance(value, bool):
        errors["period_years"] = MESSAGES["period_whole"]
        return None
    try:
        period = int(str(value).strip())
    except ValueError:
        errors["period_years"] = MESSAGES["period_whole"]
        return None
    if period < 1:
        errors["period_years"] = MESSAGES["period_min"]
    elif period > MAX_PERIOD_YEARS:
        errors["period_years"] = MESSAGES["period_max"]
    return period


def validate(*, rule: RetentionRule | None, code: str, fields: dict) -> dict:
    """The cleaned fields, or a ValidationError naming every problem (by field)."""
    errors, clean = {}, {}
    clean["record_class"] = fields.get("record_class")
    if clean["record_class"] not in RecordClass.values:
        errors["record_class"] = MESSAGES["record_class"]
    clean["trigger"] = fields.get("trigger")
    if clean["trigger"] not in Trigger.values:
        errors["trigger"] = MESSAGES["trigger"]
    elif clean["record_class"] in RecordClass.values and clean["trigger"] not in TRIGGERS_FOR_CLASS[clean["record_class"]]:
        if clean["record_class"] in FAMILY_CLASSES:
            errors["trigger"] = MESSAGES["trigger_for_class"]
        else:
            allowed = sorted(TRIGGERS_FOR_CLASS[clean["record_class"]])[0]
            errors["trigger"] = MESSAGES["trigger_for_rows"].format(
                record_class=RecordClass(clean["record_class"]).label.lower(), trigger=Trigger(allowed).label.lower())
    clean["period_years"] = _period(fields.get("period_years"), errors)
    clean["action"] = fields.get("action")
    if clean["action"] not in RuleAction.values:
        errors["action"] = MESSAGES["action"]
    declared = record_classes.declared().get(clean["record_class"])
    if declared is not None and declared.dispose is None and clean["action"] in RuleAction.values \
            and clean["action"] != RuleAction.REVIEW:
        errors["action"] = MESSAGES["review_only"].format(record_class=RecordClass(clean["record_class"]).label)
    clean["source"] = (fields.get("source") or "").strip()
    if not clean["source"]:
        errors["source"] = MESSAGES["source"]
    clean["is_active"] = bool(fields.get("is_active"))
    code = (code or "").strip().upper()
    if rule is not None:
        if code and code != rule.code:
            errors["code"] = MESSAGES["code_fixed"]
        code = rule.code
    match = CODE_PATTERN.match(code)
    if not code:
        errors["code"] = MESSAGES["code_required"]
    elif match is None:
        errors["code"] = MESSAGES["code_format"]
    elif "period_years" not in errors and int(match.group(1)) != clean["period_years"]:
        errors.setdefault("code", MESSAGES["code_period"].format(period=clean["period_years"]))
    elif rule is None and RetentionRule.objects.filter(code=code).exists():
        errors["code"] = MESSAGES["code_taken"].format(code=code)
    if errors:
        raise ValidationError(errors)
    clean["code"] = code
    return clean


def save_rule(*, by, rule: RetentionRule | None = None, code: str = "", reason: str = "", **fields) -> RetentionRule:
    """Add a rule (rule=None) or change one, with the reason for a change; audited, with history."""
    if not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot change retention rules")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not a rule field: {', '.join(sorted(unknown))}")
    if rule is not None:
        fields = {name: fields.get(name, getattr(rule, name)) for name in EDITABLE}
    clean = validate(rule=rule, code=code, fields=fields)
    if rule is not None and not reason.strip():
        raise ValidationError({"change_reason": MESSAGES["reason"]})
    is_new = rule is None
    with transaction.atomic():
        if is_new:
            rule = RetentionRule(**clean)
            changed = list(EDITABLE)
        else:
            rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
            changed = [name for name in EDITABLE if getattr(rule, name) != clean[name]]
            for name in EDITABLE:
                setattr(rule, name, clean[name])
            rule._change_reason = reason.strip()
        rule._history_user = by
        rule.save()
        audit.record(actor=by, action=Action.CREATE if is_new else Action.CHANGE,
                     event="retention_rule.create" if is_new else "retention_rule.change", purpose=AUDIT_PURPOSE,
                     objects=[rule], metadata={"code": rule.code, "fields": changed})
    return rule


def history(rule: RetentionRule) -> list[dict]:
    """The rule's changes, newest first: when, who, the reason and what changed."""
    entries = []
    records = list(rule.history.select_related("history_user").order_by("-history_date", "-history_id"))
    for newer, older in zip(records, records[1:] + [None], strict=True):
        changes = []
        if older is not None:
            for change in newer.diff_against(older, included_fields=list(EDITABLE)).changes:
                changes.append({"field": RetentionRule._meta.get_field(change.field).verbose_name,
                                "old": change.old, "new": change.new})
        user = newer.history_user
        entries.append({"when": newer.history_date, "who": (user.get_full_name() or user.get_username()) if user
                        else "The system", "reason": newer.history_change_reason or "", "changes": changes,
                        "kind": "Added" if older is None else "Changed"})
    return entries
