"""What every casework service shares: the purpose it works under, the access check and the audit event.

Private to `casework.services`: the service modules import these; nothing outside the package does.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Purpose
from earlyhelp.records.provenance import SourceKind

PURPOSE = Purpose.EARLY_HELP_CASEWORK


def _audit(by, action, event, obj, household_id, **metadata):
    audit.record(actor=by, action=action, event=event, purpose=PURPOSE, objects=[obj], household_id=household_id,
                 metadata=metadata)


def _require(user, household_id, need, *, changes_record=True):
    access = policy.family_access(user, household_id)
    if access is None or not getattr(access, need):
        raise PermissionDenied("You do not have permission to do this for this family")
    if changes_record:  # a family with a member whose record is restricted (UK GDPR Article 18) is read-only
        ensure_not_restricted(household=household_id)
    return access


def _source(kind, organisation) -> dict:
    """Provenance fields (P17): a partner organisation is kept only when a partner gave the information."""
    return {"source_kind": kind, "source_organisation": organisation if kind == SourceKind.PARTNER else None}


def _today():
    return timezone.localdate()


def _require_open(episode):
    if not episode.is_open:
        raise ValidationError("This episode is closed: its record can no longer be changed")
