"""Recipient types as data (P7, P14, P21): the DPO adds and changes who the register may name as a recipient.

`save_recipient_type` is the one way a recipient type changes: it checks the entry in the DPO's words, saves it
with the user and the reason in its history, and writes the audit event in the same transaction.

What keeps buyers, marketers and anyone abroad out is the structure of a recipient type (`models.RecipientType`):
a public function from a closed list (none of them commercial), an Article 6 basis a public authority shares on
(never contract or legitimate interests), the statute or gateway named, and a UK location, each a database
constraint too. On top of that, a name or description that reads as a buyer, a seller of data or a marketer is
refused here with its own message, so a commercial recipient cannot be slipped in under a public function's name.
"""

import copy
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.organisations.models import Organisation

from ..models import RECIPIENT_ARTICLE_6, UK, ProcessingPurpose, PublicFunction, RecipientKind, RecipientType
from .register import AUDIT_PURPOSE

LABELS = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "kind": "Kind of recipient",
    "public_function": "Public function",
    "article_6": "Article 6 lawful basis for sharing",
    "statutory_basis": "Statute or legal gateway",
    "location": "Where it is",
    "is_active": "In use",
}
EDITABLE_FIELDS = tuple(LABELS)

REQUIRED = {
    "code": "Enter a code for the recipient type",
    "name": "Enter the recipient's name as the privacy notice will say it",
    "kind": "Choose whether this is a partner organisation type or a public body",
    "public_function": ("Choose the public function the recipient performs: only public bodies, and partners "
                        "performing a public function for families, may receive families' information"),
    "article_6": "Choose the Article 6 lawful basis for sharing with this recipient",
    "statutory_basis": ("Enter the statute or legal gateway that allows sharing with this recipient, for example "
                        "Children Act 2004 s11"),
    "location": "Enter where the recipient is: United Kingdom",
}
REASON_REQUIRED = "Enter why you are making this change: it is kept in the recipient type's history"
NOT_A_FUNCTION = ("Choose the public function from the list: there is no commercial function, because families' "
                  "information is never sold, rented or used for marketing (P21)")
NOT_A_BASIS = ("Choose consent, legal obligation or public task: the council never shares families' information "
               "under a contract or for legitimate interests, the bases a sale or marketing would need (P21)")
OUTSIDE_UK = ("A recipient must be in the United Kingdom: families' information is never shared with anyone "
              "outside the UK (P14)")
BUYER = ("“{phrase}” reads as someone who buys, sells or trades data. Families' information is never sold or "
         "rented (P21): a recipient must be a public body, or a partner performing a public function for families")
MARKETER = ("“{phrase}” reads as marketing. Families' information is never used for marketing (P21): a recipient "
            "must be a public body, or a partner performing a public function for families")
CODE_FORMAT = "Code must contain only lower-case letters, numbers and underscores"
CODE_FIXED = "The code cannot be changed once a recipient type is in the register"
CODE_TAKEN = "A recipient type with this code is already in the register"

# Phrases that describe a commercial buyer or a marketer rather than a body performing a public function.
COMMERCIAL = [
    (re.compile(r"\b(data[\s-]*brokers?|brokers?|brokerage|data[\s-]*(?:sales?|trad\w*|resell\w*|market(?:s|place)?)|"
                r"resell\w*|sell\w*|buyers?|purchas\w*|list[\s-]*(?:rental|broking|brokers?)|"
                r"rent\w*\s+(?:of\s+)?(?:data|lists?))\b", re.IGNORECASE), BUYER),
    (re.compile(r"\b(marketing|marketers?|advertis\w*|ad[\s-]*tech|lead[\s-]*generation|telemarketing|"
                r"direct[\s-]*mail\w*)\b", re.IGNORECASE), MARKETER),
]


def commercial_problem(*texts: str) -> str:
    """Why these words read as a buyer or a marketer; empty if they do not."""
    for text in texts:
        for pattern, message in COMMERCIAL:
            found = pattern.search(text or "")
            if found:
                return message.format(phrase=found.group(0))
    return ""


def _in_use(entry: RecipientType) -> list[str]:
    purposes = [p.name for p in ProcessingPurpose.objects.filter(is_active=True) if entry.code in p.recipient_types]
    problems = []
    if purposes:
        problems.append(f"the register names it as a recipient of {'; '.join(purposes)}: take it off those purposes "
                        "first")
    if Organisation.objects.filter(type=entry.code, is_active=True).exists():
        problems.append("organisations in the partner register have this type")
    return problems


def _check(entry: RecipientType, original: RecipientType, *, is_new: bool) -> dict:
    errors = {}
    for field, message in REQUIRED.items():
        value = getattr(entry, field)
        if not isinstance(value, str) or not value.strip():
            errors[field] = message
    if "kind" not in errors and entry.kind not in RecipientKind.values:
        errors["kind"] = REQUIRED["kind"]
    if "public_function" not in errors and entry.public_function not in PublicFunction.values:
        errors["public_function"] = NOT_A_FUNCTION
    if "article_6" not in errors and entry.article_6 not in dict(RECIPIENT_ARTICLE_6):
        errors["article_6"] = NOT_A_BASIS
    if "location" not in errors and entry.location != UK:
        errors["location"] = OUTSIDE_UK
    for field in ("name", "description"):
        problem = commercial_problem(getattr(entry, field))
        if problem and field not in errors:
            errors[field] = problem
    for field, limit in (("name", 200), ("statutory_basis", 300), ("code", 40)):
        if field not in errors and len(getattr(entry, field) or "") > limit:
            errors[field] = f"{LABELS[field]} must be {limit} characters or fewer"
    if not is_new and entry.code != original.code:
        errors["code"] = CODE_FIXED
    elif is_new and "code" not in errors and not re.fullmatch(r"[a-z0-9_]+", entry.code):
        errors["code"] = CODE_FORMAT
    elif is_new and "code" not in errors and RecipientType.objects.filter(code=entry.code).exists():
        errors["code"] = CODE_TAKEN
    if not is_new and original.is_active and not entry.is_active:
        in_use = _in_use(entry)
        if in_use:
            errors["is_active"] = "This recipient type is still in use: " + "; ".join(in_use)
    if not is_new and original.kind == RecipientKind.PARTNER and entry.kind != RecipientKind.PARTNER \
            and Organisation.objects.filter(type=entry.code).exists():
        errors["kind"] = "Organisations in the partner register have this type: it must stay a partner type"
    return errors


def _apply(recipient, fields, *, lock: bool):
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of a recipient type: {', '.join(sorted(unknown))}")
    if recipient is None:
        entry = RecipientType()
    else:
        rows = RecipientType.objects.select_for_update() if lock else RecipientType.objects
        entry = rows.get(pk=recipient.pk)
    original = copy.copy(entry)
    for field, value in fields.items():
        setattr(entry, field, value.strip() if isinstance(value, str) else value)
    return entry, original


def problems(*, recipient: RecipientType | None = None, **fields) -> dict:
    """What `save_recipient_type` would refuse, without saving: forms show every problem at once."""
    entry, original = _apply(recipient, fields, lock=False)
    return _check(entry, original, is_new=recipient is None)


@transaction.atomic
def save_recipient_type(*, by, recipient: RecipientType | None = None, reason: str = "",
                        **fields) -> RecipientType:
    """Add a recipient type (`recipient=None`) or change one, with the reason kept in its history.

    Raises ValidationError (a message per field, nothing saved) for an entry the register cannot accept, and
    PermissionDenied for anyone but the DPO."""
    if not policy.has_permission(by, policy.Permission.KEEP_REGISTER):
        raise PermissionDenied("Only the data protection officer keeps the register's recipients")
    is_new = recipient is None
    entry, original = _apply(recipient, fields, lock=True)
    errors = _check(entry, original, is_new=is_new)
    reason = " ".join((reason or "").split())
    if not reason:
        errors["change_reason"] = REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    changed = sorted(field for field in EDITABLE_FIELDS if getattr(entry, field) != getattr(original, field))
    if not is_new and not changed:
        return entry
    entry.full_clean()  # the model's constraints, as a last check
    entry._history_user = by
    entry._change_reason = reason[:100]
    entry.save()
    audit.record(actor=by, action=Action.CREATE if is_new else Action.CHANGE,
                 event=f"recipient_type.{'create' if is_new else 'change'}", purpose=AUDIT_PURPOSE,
                 objects=[entry], metadata={"code": entry.code, "fields": changed})
    return entry


def display(field: str, value) -> str:
    if field == "kind":
        return RecipientKind(value).label if value in RecipientKind.values else str(value)
    if field == "public_function":
        return PublicFunction(value).label if value in PublicFunction.values else str(value)
    if field == "article_6":
        return dict(RECIPIENT_ARTICLE_6).get(value, str(value))
    if field == "is_active":
        return "Yes" if value else "No"
    return str(value) if value not in (None, "") else "None"


def history(recipient: RecipientType) -> list[dict]:
    """Every saved version, newest first: when, who, why, and what changed."""
    records = list(recipient.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        changes = [] if previous is None else [
            {"field": LABELS[c.field], "old": display(c.field, c.old), "new": display(c.field, c.new)}
            for c in record.diff_against(previous, included_fields=EDITABLE_FIELDS).changes]
        user = record.history_user
        entries.append({
            "when": record.history_date,
            "who": (user.get_full_name() or user.get_username()) if user else "The system (installation)",
            "kind": "Added" if previous is None else "Changed",
            "reason": record.history_change_reason or "",
            "changes": changes,
        })
        previous = record
    return entries[::-1]
