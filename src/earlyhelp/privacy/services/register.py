"""Keeping the processing register (UK GDPR Article 30): the DPO's changes, validated, kept and audited (P15).

`save_purpose` is the one way the product changes a purpose: it checks the entry in plain words
(a lawful basis for every purpose, processing only in the United Kingdom, no automated decisions,
recipients the register knows), saves it in a transaction with the user and reason in its history,
and writes the audit event in the same transaction. `changes_since_publication` compares the
register with the notice last published, so the DPO knows when to publish a new version.
"""

import copy
import json
import re

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from .. import register_seed, retention_wording
from ..messages import CHOOSE_ARTICLE_6_FROM_LIST, CHOOSE_ARTICLE_9_FROM_LIST
from ..models import (
    UK,
    Article6,
    Article9,
    PrivacyNotice,
    ProcessingPurpose,
    recipient_choices,
    recipient_label,
)
from . import notices

# The register holds no personal data about families; changes to it are recorded under the same
# purpose as the register's admin pages and publishing the notice (notices.publish_notice).
AUDIT_PURPOSE = Purpose.SYSTEM_SECURITY


# --- Recipients ---------------------------------------------------------------------------------

def recipient_codes() -> set[str]:
    return {code for code, _ in recipient_choices()}


# --- Fields -------------------------------------------------------------------------------------

# What each field is called on the register pages, in the history and in error messages.
LABELS = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "article_6": "Article 6 lawful basis",
    "article_9": "Article 9 condition",
    "schedule_1_condition": "DPA 2018 Schedule 1 condition",
    "article_10": "Article 10 condition",
    "consent_required": "Consent asked for",
    "data_categories": "Categories of personal data",
    "special_category": "Special category data",
    "criminal_offence_data": "Criminal offence data",
    "data_subjects": "Data subjects",
    "recipient_types": "Recipients",
    "retention": "Retention rule",
    "retention_note": "Retention in plain English",
    "statutes": "Laws relied on",
    "processing_location": "Where it is processed",
    "automated_decisions": "Automated decisions",
    "sources": "Sources",
    "is_active": "In use",
}
EDITABLE_FIELDS = tuple(LABELS)
LIST_FIELDS = ("data_categories", "special_category", "data_subjects", "recipient_types", "statutes", "sources")
BOOLEAN_FIELDS = ("consent_required", "criminal_offence_data", "automated_decisions", "is_active")

REQUIRED_MESSAGES = {
    "code": "Enter a code for the purpose",
    "name": "Enter the name of the purpose",
    "description": "Enter a plain English description of the purpose for the privacy notice",
    "article_6": "Choose the Article 6 lawful basis: every purpose must have one",
    "data_categories": "Enter at least one category of personal data, one per line",
    "data_subjects": "Enter at least one group of people the data is about, one per line",
    "retention": "Enter the retention rule, for example CASE+6",
    "processing_location": "Enter where the data is processed: United Kingdom",
}
OUTSIDE_UK = "All processing must happen in the United Kingdom: the register cannot record processing anywhere else"
AUTOMATED = ("No purpose may make decisions about people by automated means alone: a person makes every "
             "decision (UK GDPR Article 22). Untick automated decisions")
IN_USE_BY_THE_SYSTEM = ("The system records its work under this purpose, so it must stay in use and in the "
                        "privacy notice")
BASELINE_REASON = "As installed, before its first change in the product"
CODE_FORMAT = "Code must contain only lower-case letters, numbers, underscores and hyphens"
CODE_FIXED = "The code cannot be changed once a purpose is in the register"


def display(field: str, value) -> str:
    """A field's value as the register pages and history show it."""
    if field == "article_6":
        return Article6(value).label if value in Article6.values else (value or "None")
    if field == "article_9":
        return Article9(value).label if value in Article9.values else value
    if field == "recipient_types":
        return "; ".join(recipient_label(code) for code in value or []) or "Nobody outside the council"
    if field == "retention" and value:
        return retention_wording.in_words([value])[value]
    if field == "sources":
        return "; ".join(register_seed.source_title(source) for source in value or []) or "None"
    if field in BOOLEAN_FIELDS:
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "None"
    return str(value) if value not in (None, "") else "None"


def _is_text_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _check(purpose: ProcessingPurpose, *, is_new: bool, original_code: str) -> dict:
    """The register's rules in the DPO's words; the model's own checks run after these."""
    errors = {}
    for field, message in REQUIRED_MESSAGES.items():
        value = getattr(purpose, field)
        if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
            errors[field] = message
    if "article_6" not in errors and purpose.article_6 not in Article6.values:
        errors["article_6"] = CHOOSE_ARTICLE_6_FROM_LIST
    if purpose.article_9 not in Article9.values:
        errors["article_9"] = CHOOSE_ARTICLE_9_FROM_LIST
    if "processing_location" not in errors and purpose.processing_location != UK:
        errors["processing_location"] = OUTSIDE_UK
    if purpose.automated_decisions:
        errors["automated_decisions"] = AUTOMATED
    for field in LIST_FIELDS:
        if field not in errors and not _is_text_list(getattr(purpose, field)):
            errors[field] = f"Enter {LABELS[field].lower()} one per line"
    if "recipient_types" not in errors:
        unknown = [code for code in purpose.recipient_types if code not in recipient_codes()]
        if unknown:
            errors["recipient_types"] = (f"“{unknown[0]}” is not a recipient the register knows: "
                                         "choose recipients from the list")
    if not is_new and purpose.code != original_code:
        errors["code"] = CODE_FIXED
    elif is_new and "code" not in errors and not re.fullmatch(r"[a-z0-9_-]+", purpose.code):
        errors["code"] = CODE_FORMAT
    elif is_new and "code" not in errors and ProcessingPurpose.objects.filter(code=purpose.code).exists():
        errors["code"] = "A purpose with this code is already in the register"
    if not purpose.is_active and purpose.code in Purpose.values:
        errors["is_active"] = IN_USE_BY_THE_SYSTEM
    return errors


def _model_errors(purpose: ProcessingPurpose, found: dict) -> dict:
    """The model's checks (field rules, clean(), constraints) for fields not already explained."""
    try:
        purpose.full_clean(exclude=[field for field in found if field != NON_FIELD_ERRORS])
    except ValidationError as error:
        more = {}
        for field, issues in error.error_dict.items():
            if field in found:
                continue
            label = LABELS.get(field, field)
            lower = label if label[1:2].isupper() or label.startswith("Article") else label[:1].lower() + label[1:]
            messages = []
            for problem in issues:
                if problem.code in ("blank", "null", "required"):
                    messages.append(f"Enter {lower}")
                elif problem.code == "invalid_choice":
                    messages.append(f"Choose {lower} from the list")
                elif problem.code == "max_length":
                    messages.append(f"{label} must be {problem.params['limit_value']} characters or fewer")
                elif problem.code == "invalid" and field == "code":
                    messages.append(CODE_FORMAT)
                else:
                    messages.extend(problem.messages)
            more[field] = messages
        return more
    return {}


def _normalise(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def _apply(purpose, fields, *, lock: bool):
    """A copy of the purpose (or a new one) with `fields` set; the caller's object is never changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of the processing register: {', '.join(sorted(unknown))}")
    if purpose is None:
        entry = ProcessingPurpose()
    else:
        rows = ProcessingPurpose.objects.select_for_update() if lock else ProcessingPurpose.objects
        entry = rows.get(pk=purpose.pk)
    original = copy.copy(entry)
    for field, value in fields.items():
        setattr(entry, field, list(value) if field in LIST_FIELDS and isinstance(value, tuple) else _normalise(value))
    if entry.recipient_types and _is_text_list(entry.recipient_types):
        entry.recipient_types = list(dict.fromkeys(entry.recipient_types))  # once each, in the order given
    return entry, original


def _errors(entry, original, *, is_new: bool) -> dict:
    errors = _check(entry, is_new=is_new, original_code=original.code)
    return errors | _model_errors(entry, errors)


def problems(*, purpose: ProcessingPurpose | None = None, **fields) -> dict:
    """What `save_purpose` would refuse in these fields ({field: message(s)}), without saving anything.
    Forms use it to show every problem at once."""
    entry, original = _apply(purpose, fields, lock=False)
    return _errors(entry, original, is_new=purpose is None)


@transaction.atomic
def save_purpose(*, by, purpose: ProcessingPurpose | None = None, reason: str = "", **fields) -> ProcessingPurpose:
    """Add a purpose to the register (`purpose=None`) or change one; returns the saved purpose.

    `fields` are ProcessingPurpose fields (`EDITABLE_FIELDS`); list fields are lists of strings.
    Raises ValidationError with a message per field and changes nothing if the entry is not
    acceptable; PermissionDenied for anyone but the DPO.
    """
    if not policy.has_permission(by, policy.Permission.KEEP_REGISTER):
        raise PermissionDenied("Only the data protection officer keeps the processing register")
    is_new = purpose is None
    entry, original = _apply(purpose, fields, lock=True)  # locked: two DPOs' changes do not overwrite each other
    errors = _errors(entry, original, is_new=is_new)
    if errors:
        raise ValidationError(errors)

    before = {field: getattr(original, field) for field in EDITABLE_FIELDS}
    changed = sorted(field for field in EDITABLE_FIELDS if getattr(entry, field) != before[field])
    if not is_new and not changed:
        return entry  # nothing to save: no history entry and no audit event for a change that did not happen
    if not is_new and not entry.history.exists():
        # Rows installed by a data migration have no history yet: keep how the entry read before this change.
        ProcessingPurpose.history.bulk_history_create([original], default_change_reason=BASELINE_REASON)
    reason = " ".join(reason.split())
    entry._history_user = by
    entry._change_reason = (reason or ("Added to the register" if is_new else
                                       "Changed " + ", ".join(LABELS[f].lower() for f in changed)))[:100]
    entry.save()
    audit.record(actor=by, action=Action.CREATE if is_new else Action.CHANGE,
                 event=f"processing_purpose.{'create' if is_new else 'change'}", purpose=AUDIT_PURPOSE,
                 objects=[entry], metadata={"code": entry.code, "fields": changed})
    return entry


# --- History ------------------------------------------------------------------------------------

def history(purpose: ProcessingPurpose) -> list[dict]:
    """Every saved version of the purpose, newest first: when, who, why, and what changed."""
    records = list(purpose.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        if previous is None:
            changes = []
        else:
            delta = record.diff_against(previous, included_fields=EDITABLE_FIELDS)
            changes = [{"field": LABELS[c.field], "old": display(c.field, c.old), "new": display(c.field, c.new)}
                       for c in sorted(delta.changes, key=lambda c: EDITABLE_FIELDS.index(c.field))]
        user = record.history_user
        entries.append({
            "when": record.history_date,
            "who": (user.get_full_name() or user.get_username()) if user else "The system (installation or import)",
            "kind": {"+": "Added", "~": "Changed", "-": "Deleted"}.get(record.history_type, record.history_type),
            "reason": record.history_change_reason or "",
            "changes": changes,
        })
        previous = record
    return entries[::-1]


# --- Publication --------------------------------------------------------------------------------

def _as_published(content: dict) -> dict:
    """Content as it reads back from the JSON column, so that a fresh draft compares equal to it."""
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def changes_since_publication() -> dict:
    """How the notice a publication now would produce differs from the notice last published."""
    latest = notices.current_notice()
    draft = _as_published(notices.notice_content())
    if latest is None:
        return {"notice": None, "changed": True, "added": [p["name"] for p in draft["purposes"]],
                "removed": [], "amended": [], "statements_changed": True}
    published = _as_published(latest.content)
    old = {p["code"]: p for p in published.get("purposes", [])}
    new = {p["code"]: p for p in draft["purposes"]}
    amended = []
    for code, purpose in new.items():
        if code in old and purpose != old[code]:
            fields = [LABELS.get(field, field) for field in purpose
                      if field in LABELS and purpose.get(field) != old[code].get(field)]
            amended.append({"name": purpose["name"], "fields": fields})
    return {
        "notice": latest,
        "changed": draft != published,
        "added": [p["name"] for code, p in new.items() if code not in old],
        "removed": [p["name"] for code, p in old.items() if code not in new],
        "amended": amended,
        "statements_changed": draft["statements"] != published.get("statements"),
    }


def publish(*, by) -> PrivacyNotice:
    """Publish a new version of the privacy notice from the register, if the register has changed."""
    if not policy.has_permission(by, policy.Permission.KEEP_REGISTER):
        raise PermissionDenied("Only the data protection officer publishes the privacy notice")
    with transaction.atomic():
        changes = changes_since_publication()
        if not changes["changed"]:
            raise ValidationError(f"The register has not changed since version {changes['notice'].version} was "
                                  "published: there is nothing new to publish")
        return notices.publish_notice(by=by)
