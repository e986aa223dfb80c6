"""Refusals: an audited "Page not found", so a refused user cannot tell a hidden record from a missing one."""

from django.http import Http404

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action

from .roles import Permission, has_permission


def refuse(user, *, household_id=None, object_type="", object_id=None, purpose):
    """Audit a refused attempt, then answer 404 so the record's existence is not revealed."""
    record_refusal(user, household_id=household_id, object_type=object_type, object_id=object_id, purpose=purpose)
    raise Http404("Page not found")


def record_refusal(user, *, household_id=None, object_type="", object_id=None, purpose):
    """Audit a refused attempt; the caller answers exactly as it would for a record that does not exist."""
    audit.record(
        actor=user if getattr(user, "is_authenticated", False) else None,
        action=Action.DENIED,
        event=f"{(object_type or 'people.household').rsplit('.', 1)[-1]}.denied",
        purpose=purpose,
        objects=[(object_type or "people.household", object_id or household_id)] if (object_id or household_id) else [],
        household_id=household_id,
    )


def require(user, permission: Permission, *, purpose, object_type="", object_id=None, household_id=None):
    """Go on only if the user's role grants the permission; otherwise an audited 404."""
    if not has_permission(user, permission):
        refuse(user, household_id=household_id, object_type=object_type, object_id=object_id, purpose=purpose)


def require_any(user, *permissions: Permission, purpose, object_type="", object_id=None):
    """Go on if the user's role grants any of the permissions (e.g. a team's or the whole council's view)."""
    if not any(has_permission(user, permission) for permission in permissions):
        refuse(user, object_type=object_type, object_id=object_id, purpose=purpose)
